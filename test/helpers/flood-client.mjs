// Holds many idle TCP connections to one port, for the connection-flood test. It runs as a child
// process of its own so that its file descriptors count against neither the test runner nor the
// Tollgate under test; several can run side by side, each from its own source addresses (127.0.0.x)
// so that ephemeral ports do not run short.
//
// Usage: node flood-client.mjs <port> <count> <address,address,...>
// Prints one JSON line {"connected","failed","open"} once every connection has been attempted,
// then one more for each line read on stdin; closes every connection and exits when stdin ends.
import { connect } from 'node:net';
import { createInterface } from 'node:readline';

const [port, count, addresses] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4].split(',')];
// Enough connections at once to be quick, few enough not to overflow the server's accept backlog.
const IN_FLIGHT = 200;
const open = new Set();
let started = 0;
let settled = 0;
let connected = 0;
let failed = 0;

const report = () => process.stdout.write(JSON.stringify({ connected, failed, open: open.size }) + '\n');

function next() {
  if (started >= count) return;
  const socket = connect({ port, host: '127.0.0.1', localAddress: addresses[started % addresses.length] });
  started += 1;
  let done = false;
  const settle = () => {
    if (done) return;
    done = true;
    settled += 1;
    if (settled === count) report();
    next();
  };
  socket.on('connect', () => {
    connected += 1;
    open.add(socket);
    settle();
  });
  socket.on('error', () => {
    if (!done) failed += 1;
    settle();
  });
  socket.on('close', () => {
    open.delete(socket);
    settle();
  });
}

for (let i = 0; i < IN_FLIGHT; i++) next();

const input = createInterface({ input: process.stdin });
input.on('line', report);
input.on('close', () => {
  for (const socket of open) socket.destroy();
  process.exit(0);
});
