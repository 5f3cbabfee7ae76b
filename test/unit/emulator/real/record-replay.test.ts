// Record and replay with real components: the recording names which PDs ran their C code, a replay
// boots that choice (whatever --components says) and reproduces the transcript byte for byte, and a
// replay that cannot run the recorded programs says so instead of printing another transcript.
import { strict as assert } from 'assert';
import { parseRecording } from '../../../../src/cli/boot-session';
import { componentMismatch } from '../../../../src/emulator/record';
import { parseRecording as parseExtensionRecording } from '../../../../src/host/recording-file';
import { bootPiped } from '../../cli/boot-harness';
import { describeReal, EXAMPLE, runSession } from './harness';

const INPUT = 'root\recho real\r@1\rroot\rpwd\r';

describeReal('real components: record and replay', function () {
  this.timeout(180_000);

  it('records the component choice; the replay boots it over --components and gives the same bytes', async () => {
    const rec = await bootPiped([EXAMPLE, '--components', 'real', '--record', '/rec/real.json'], INPUT);
    assert.equal(rec.code, 0, rec.stderr);
    const text = rec.written.get('/rec/real.json')!;
    const parsed = parseRecording(text).recording!;
    assert.equal(parsed.components?.uart_driver, 'real');
    assert.equal(parsed.components?.serial_virt_rx, 'real');
    assert.equal(parsed.components?.serial_virt_tx, 'real');
    // The example's project file names its VMM program, so 'real' runs the VMMs on libvmm too.
    assert.equal(parsed.components?.['CLIENT_VMM-1'], 'real');
    // The extension's reader keeps the choice too.
    const ext = parseExtensionRecording(text);
    assert.ok(typeof ext !== 'string');
    assert.deepEqual(ext.log.components, parsed.components);

    const replay = await bootPiped([EXAMPLE, '--components', 'model', '--replay', '/rec/real.json'], '', { files: { '/rec/real.json': text } });
    assert.equal(replay.code, 0, replay.stderr);
    assert.ok(replay.stdout === rec.stdout, 'the replay printed another transcript');
    assert.ok(rec.stdout.includes('real'));
    // Booting the models with the same input is the differential tests' business; here the
    // replay must have run the recorded programs.
    assert.equal(replay.session?.emulator.real?.isReal('uart_driver'), true);
  });

  it('two runs with the same input and seed give the same bytes, queues and logs', () => {
    const steps = [{ type: 'root\r' }, { type: 'yes\r', runNs: 5e6 }, { type: '@1\r', runNs: 2e6 }, { type: '\x03' }];
    const a = runSession('real', steps, { paced: true }),
      b = runSession('real', steps, { paced: true });
    assert.ok(a.transcript.length > 0 && a.transcript === b.transcript);
    assert.deepEqual(a.queues, b.queues);
    assert.deepEqual(a.logs, b.logs);
  });

  it('a model recording replays on the models even with --components real', async () => {
    const rec = await bootPiped([EXAMPLE, '--record', '/rec/model.json'], INPUT);
    const text = rec.written.get('/rec/model.json')!;
    assert.equal(parseRecording(text).recording!.components?.uart_driver, 'model');
    const replay = await bootPiped([EXAMPLE, '--components', 'real', '--replay', '/rec/model.json'], '', { files: { '/rec/model.json': text } });
    assert.equal(replay.code, 0, replay.stderr);
    assert.equal(replay.session?.emulator.real, undefined);
    assert.ok(replay.stdout === rec.stdout);
  });
});

describe('recordings: the component choice', () => {
  it('names the PDs whose programs differ from the recording', () => {
    const models = runSession('model', []).emulator;
    const msg = componentMismatch(models, { version: 1, seed: 1, records: [], components: { uart_driver: 'real', serial_virt_rx: 'model' } });
    assert.match(msg ?? '', /'uart_driver' was recorded as real but runs as model/);
    assert.doesNotMatch(msg ?? '', /serial_virt_rx/);
    assert.equal(componentMismatch(models, { version: 1, seed: 1, records: [] }), undefined);
  });

  it('rejects a malformed components field with a message', () => {
    assert.match(parseRecording(JSON.stringify({ version: 1, seed: 1, endNs: 0, records: [], components: { a: 'wasm' } })).error ?? '', /components/);
    assert.match(String(parseExtensionRecording(JSON.stringify({ version: 1, seed: 1, records: [], components: [] }))), /components/);
  });
});
