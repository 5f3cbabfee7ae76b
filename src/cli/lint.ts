export function runLint(_args: string[]): number {
  process.stderr.write('dual-guest lint: not built yet\n');
  return 2;
}
