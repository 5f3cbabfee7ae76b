// The e2e harness's log reading, on text shaped like code-server 4.100.3's extension host log.
import * as assert from 'assert';
import { activationLine, errorEntries, isExtensionHostLog, splitLogEntries } from '../../e2e/logs';

const LOG = [
  '2026-11-27 01:24:54.001 [info] Extension host with pid 19578 started',
  "2026-11-27 01:24:54.584 [info] ExtensionService#_doActivateExtension microkit-dual-guest.microkit-dual-guest, startup: false, activationEvent: 'onLanguage:devicetree'",
  '2026-11-27 01:24:55.103 [error] Activating extension microkit-dual-guest.microkit-dual-guest failed due to an error:',
  '2026-11-27 01:24:55.103 [error] Error: boom in activate',
  '\tat exports.activate (/tmp/x/extensions/microkit-dual-guest.microkit-dual-guest-0.1.0/dist/extension.js:1:34)',
  '\tat async Nb.n (file:///x/extensionHostProcess.js:119:13382)',
  '2026-11-27 01:24:56.000 [warning] something to look at',
  "2026-11-27 01:24:57.000 [info] ExtensionService#_doActivateExtension microkit-dual-guest.microkit-dual-guest-extra, startup: false, activationEvent: '*'",
  '',
].join('\n');

describe('e2e harness: log reading', () => {
  it('splits entries, keeping stack lines with the entry they follow', () => {
    const entries = splitLogEntries(LOG);
    assert.deepStrictEqual(
      entries.map((e) => e.level),
      ['info', 'info', 'error', 'error', 'warning', 'info'],
    );
    assert.match(entries[3].text, /boom in activate\n\tat exports\.activate .*\n\tat async Nb\.n/);
  });

  it('reads CRLF logs and ignores text before the first entry', () => {
    const entries = splitLogEntries('stray banner\r\n2026-11-27 01:00:00.000 [error] x\r\n  more\r\n');
    assert.deepStrictEqual(entries, [{ level: 'error', text: '2026-11-27 01:00:00.000 [error] x\n  more' }]);
  });

  it('reports error entries, except allowed ones', () => {
    assert.strictEqual(errorEntries(LOG).length, 2);
    assert.deepStrictEqual(
      errorEntries(LOG, [/failed due to an error/]).map((e) => e.text.split('\n')[0]),
      ['2026-11-27 01:24:55.103 [error] Error: boom in activate'],
    );
    assert.deepStrictEqual(errorEntries(LOG.replace(/\[error\]/g, '[info]')), []);
  });

  it('finds the activation line of exactly the extension asked for', () => {
    assert.match(activationLine(LOG, 'microkit-dual-guest.microkit-dual-guest') ?? '', /onLanguage:devicetree/);
    assert.match(activationLine(LOG, 'microkit-dual-guest.microkit-dual-guest-extra') ?? '', /activationEvent: '\*'/);
    assert.strictEqual(activationLine(LOG, 'microkit-dual-guest.microkit'), undefined);
  });

  it('selects the extension host logs and only our own log channels', () => {
    const id = 'microkit-dual-guest.microkit-dual-guest';
    const files = [
      '20261127T012319/exthost1/remoteexthost.log',
      '20261127T012319/exthost2/remoteexthost.log',
      '20261127T012319/exthost1/remoteExtHostTelemetry.log',
      '20261127T012319/exthost1/vscode.git/Git.log',
      `20261127T012319/exthost1/${id}/Microkit Dual Guest.log`,
      '20261127T012319/remoteagent.log',
      'remoteexthost.log',
    ];
    assert.deepStrictEqual(
      files.filter((f) => isExtensionHostLog(f, [id])),
      [files[0], files[1], files[4]],
    );
    assert.deepStrictEqual(
      files.filter((f) => isExtensionHostLog(f)),
      [files[0], files[1]],
    );
  });
});
