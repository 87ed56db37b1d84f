/**
 * How deeply a parsed JSON value nests, measured without recursion, so that a hostile body (a
 * megabyte of `[[[[...`) can be refused before any recursive code (a schema, JSON.stringify, a
 * check of what a property holds) walks it and overflows the stack.
 */

/** Whether `value` nests arrays or objects more than `max` levels deep. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > max) return true;
    const children = Array.isArray(current) ? current : Object.values(current as Record<string, unknown>);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}
