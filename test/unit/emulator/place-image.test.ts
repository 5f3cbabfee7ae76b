// Placing a guest image into zeroed RAM writes only its pages that hold a non-zero byte: the bytes
// in RAM are the image's, and a sparse image leaves its zero pages untouched (uncommitted).
import { strict as assert } from 'assert';
import { placeImage } from '../../../src/emulator/memory';

describe('emulator: placing an image into RAM', () => {
  it('gives the same bytes as a copy, writing only the non-zero pages', () => {
    const image = new Uint8Array(5 * 4096 + 100);
    image[3] = 1;
    image[2 * 4096 + 4095] = 2;
    image[3 * 4096] = 3;
    image[5 * 4096 + 99] = 4;
    const ram = new Uint8Array(8 * 4096);
    const written: number[] = [];
    const tracking = new Proxy(ram, {
      get(target, prop) {
        if (prop === 'set')
          return (src: Uint8Array, at: number) => {
            for (let p = Math.floor(at / 4096); p < Math.ceil((at + src.length) / 4096); p++) written.push(p);
            target.set(src, at);
          };
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    placeImage(tracking, image, 4096);
    const expected = new Uint8Array(8 * 4096);
    expected.set(image, 4096);
    assert.deepEqual(ram, expected);
    // Image pages 0, 2, 3 and 5 (RAM pages 1, 3, 4, 6); pages 1 and 4 of the image are zero.
    assert.deepEqual(written, [1, 3, 4, 6]);
    // A second machine from the same image gets the same bytes (the page list is kept per image).
    const ram2 = new Uint8Array(8 * 4096);
    placeImage(ram2, image, 4096);
    assert.deepEqual(ram2, expected);
  });
});
