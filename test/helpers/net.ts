/** The benchmarks' free-port helper serves the tests too (one copy; the build compiles bench/, not test/). */
export { freePort } from '../../bench/common/net.js';
