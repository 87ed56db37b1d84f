/** Placeholder: filled in by the policies work (issue 11). */
import type { Executor } from './database.js';

export function _placeholder(_ex: Executor): void {}
