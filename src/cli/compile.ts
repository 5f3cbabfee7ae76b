export function runCompile(_args: string[]): number {
  process.stderr.write('dual-guest compile: not built yet\n');
  return 2;
}
