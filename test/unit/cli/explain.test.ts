// `dual-guest explain`: a log file or standard input, the project named or found in the folder,
// lint-style text or JSON, exit 1 on an explained error, 0 on warnings or nothing, 2 on bad usage.
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { runExplain, type ExplainIo } from '../../../src/cli/explain';
import { NodeFileHost } from '../../../src/node/file-host';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const EXAMPLE = path.join(ROOT, 'examples', 'dual-guest');
const LOGS = path.join(ROOT, 'test', 'unit', 'explain', 'logs');

async function run(args: string[], io: Partial<ExplainIo> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '',
    err = '';
  const code = await runExplain(args, {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    host: new NodeFileHost(),
    cwd: EXAMPLE,
    readStdin: async () => '',
    ...io,
  });
  return { code, out, err };
}

describe('cli: dual-guest explain', () => {
  it('explains a log file against the project found in the current folder, lint style, exit 1', async () => {
    const r = await run([path.join(LOGS, 'monitor-read-only.log')]);
    assert.equal(r.code, 1, r.err);
    const lines = r.out.trimEnd().split('\n');
    assert.match(lines[0], /^\/.*monitor-read-only\.log:1\.1-1\.\d+: Error \(log-pd-fault\): 'serial_virt_tx' wrote to 0x4006010/);
    assert.ok(lines.includes("  protection domain 'serial_virt_tx': dual-guest.system:72.6-72.23"), r.out);
    assert.ok(lines.includes("  fix: Map 'tx_data_serial_vmm_1' into 'serial_virt_tx' with perms=\"rw\""), r.out);
  });

  it('reads standard input with - or no LOG; warnings alone exit 0', async () => {
    const text = readFileSync(path.join(LOGS, 'virt-rx-invalid-client.log'), 'utf8');
    for (const args of [[], ['-'], ['--format=json', '-', 'dual-guest.json']]) {
      const r = await run(args, { readStdin: async () => text });
      assert.equal(r.code, 0, JSON.stringify(args));
      assert.match(r.out, args.length === 3 ? /"code": "log-virt-rx-invalid-client"/ : /^<stdin>:1\.1-1\.\d+: Warning \(log-virt-rx-invalid-client\)/);
    }
  });

  it('prints nothing and exits 0 on a log with nothing it recognises', async () => {
    const r = await run([path.join(LOGS, 'unrecognised.log')]);
    assert.deepEqual([r.code, r.out], [0, '']);
  });

  it('explains the lines alone outside a project', async () => {
    const r = await run([path.join(LOGS, 'libvmm-psci.log')], { cwd: LOGS });
    assert.equal(r.code, 1);
    assert.match(r.out, /the guest of 'CLIENT_VMM-2' called PSCI function 0xc4000003 \(CPU_ON\)/);
  });

  it('says what is wrong with its arguments (exit 2)', async () => {
    for (const [args, message] of [
      [['--format', 'xml'], /unknown format 'xml'/],
      [['--bogus'], /unknown option '--bogus'/],
      [['a', 'b', 'c'], /too many arguments/],
      [['missing.log'], /cannot read 'missing.log'/],
      [['-', 'nothere.system'], /cannot read the project 'nothere.system'/],
    ] as [string[], RegExp][]) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, message);
    }
  });
});
