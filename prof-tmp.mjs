import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { spawnSync, spawn } from 'node:child_process';
const PAGES = 200, PAGE_SIZE = 2500, ROWS = PAGES * PAGE_SIZE, CITIES = ['Oslo', 'Lima', 'Pune', 'Kyiv', 'Accra'];
function record(i) { return { id: i, name: `user ${i}`, email: `u${i}@example.com`, active: i % 3 !== 0, score: ((i * 7) % 1000) / 10, created: `2024-0${(i % 9) + 1}-1${i % 10}T08:00:00Z`, address: { city: CITIES[i % 5], zip: `0${1000 + (i % 9000)}`, geo: { lat: (i % 180) - 90, lng: (i % 360) - 180 } }, tags: i % 2 ? ['a', 'b'] : ['c'] }; }
const pages = Array.from({ length: PAGES }, (_, p) => Buffer.from(JSON.stringify({ total: ROWS, data: Array.from({ length: PAGE_SIZE }, (_, k) => record(p * PAGE_SIZE + k + 1)) })));
const server = createServer((req, res) => { const u = new URL(req.url, 'http://x'); const pg = pages[Math.floor(Number(u.searchParams.get('offset') ?? 0) / PAGE_SIZE)]; res.writeHead(200, { 'content-type': 'application/json' }); res.end(pg); });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;
writeFileSync('/tmp/prof.rest', `{"users": {"#path": "${base}/users /data", "#maximumPageSize": ${PAGE_SIZE}, "#pageSizeParameter": "limit", "#rowOffsetParameter": "offset", "#totalRowsElement": "total", "id": "Integer,#key", "name": "VarChar", "email": "VarChar", "active": "Boolean", "score": "Double", "created": "Timestamp", "address": {"city": "VarChar", "zip": "VarChar", "geo": {"lat": "Double", "lng": "Double"}}, "tags[]": "VarChar"}}`);
const t0 = performance.now();
const child = spawn(process.execPath, [...(process.env.FLAGS ? process.env.FLAGS.split(' ') : []), 'dist/bench/cli-rss.js', 'query', '-c', 'RestConfigFile=/tmp/prof.rest;PageConcurrency=' + (process.argv[2] ?? '4'), '--format', 'csv', 'SELECT count(*) FROM users'], { stdio: 'inherit' });
await new Promise((r) => child.on('close', r));
console.log('ms', Math.round(performance.now() - t0));
server.close();
