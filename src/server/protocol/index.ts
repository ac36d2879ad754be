/**
 * The PostgreSQL 3.0 wire codec (PostgreSQL 15 protocol-message-formats): the decoder of what
 * clients send and the encoders of what the server answers.
 */
export * from './frontend.js';
export * from './backend.js';
