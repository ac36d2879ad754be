/** Deterministic, realistic nested data for the demo API and the tests. */
export interface Customer {
  id: number;
  name: string;
  email: string;
  active: boolean;
  balance: number;
  signup_date: string;
  last_login: string | null;
  address: { street: string; city: string; zip: string; geo: { lat: number; lng: number } };
  tags: string[];
  orders: { order_id: string; placed_at: string; total: number; items: { sku: string; qty: number }[] }[];
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Dennis', 'Radia', 'John'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Ritchie', 'Perlman', 'Backus'];
const CITIES = [
  { city: 'Boston', zip: '02134', lat: 42.35, lng: -71.06 },
  { city: 'Portland', zip: '04101', lat: 43.66, lng: -70.26 },
  { city: 'Austin', zip: '78701', lat: 30.27, lng: -97.74 },
  { city: 'Newark', zip: '07102', lat: 40.74, lng: -74.17 },
];
const TAGS = ['vip', 'beta', 'newsletter', 'churn-risk', 'partner'];
const SKUS = ['KB-101', 'MS-220', 'MN-27Q', 'HD-1TB', 'CB-USB'];

/** n customers; every value derives from the index, so runs and tests agree. */
export function customers(n = 12): Customer[] {
  return Array.from({ length: n }, (_, i) => {
    const c = CITIES[i % CITIES.length]!;
    const orders = Array.from({ length: i % 3 }, (_, j) => ({
      order_id: `ORD-${1000 + i * 10 + j}`,
      placed_at: `2026-0${(j % 9) + 1}-1${i % 10}T1${j}:30:00Z`,
      total: Math.round((19.99 + i * 7.5 + j * 3.25) * 100) / 100,
      items: Array.from({ length: 1 + ((i + j) % 2) }, (_, k) => ({ sku: SKUS[(i + j + k) % SKUS.length]!, qty: 1 + ((i + k) % 4) })),
    }));
    return {
      id: 101 + i,
      name: `${FIRST[i % FIRST.length]} ${LAST[i % LAST.length]}`,
      email: `${FIRST[i % FIRST.length]!.toLowerCase()}@example.com`,
      active: i % 4 !== 3,
      balance: Math.round((i * 123.45) % 1000 * 100) / 100,
      signup_date: `2025-${String((i % 12) + 1).padStart(2, '0')}-0${(i % 9) + 1}`,
      last_login: i % 5 === 4 ? null : `2026-11-${String((i % 20) + 1).padStart(2, '0')}T08:15:00Z`,
      address: { street: `${10 + i} Main St`, city: c.city, zip: c.zip, geo: { lat: c.lat, lng: c.lng } },
      tags: TAGS.filter((_, t) => (i + t) % 3 === 0),
      orders,
    };
  });
}
