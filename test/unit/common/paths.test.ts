import { strict as assert } from 'assert';
import { dirname, join, normalize, relative, resolve } from '../../../src/common/paths';

describe('common/paths', () => {
  const cases: [string, string][] = [
    ['/a/b/../c', '/a/c'],
    ['/a/./b//c/', '/a/b/c'],
    ['a/../../b', '../b'],
    ['/..', '/'],
  ];
  for (const [input, expected] of cases) {
    it(`normalize(${input}) = ${expected}`, () => assert.equal(normalize(input), expected));
  }
  it('joins, resolves and relativises', () => {
    assert.equal(join('/x', 'y', '../z'), '/x/z');
    assert.equal(resolve('/inc', 'a.dtsi'), '/inc/a.dtsi');
    assert.equal(resolve('/inc', '/abs.dtsi'), '/abs.dtsi');
    assert.equal(dirname('/a/b.dts'), '/a');
    assert.equal(dirname('/b.dts'), '/');
    assert.equal(relative('/a/b', '/a/c/d.dts'), '../c/d.dts');
  });
});
