import assert from 'node:assert/strict';
import { MAX_JSON_DEPTH, parseJson } from './safeJson.ts';
import { Problem } from './problem.ts';

const nested = (depth: number) => '{"a":['.repeat(depth / 2) + '1' + ']}'.repeat(depth / 2);
const refusedAs = (text: string, maxDepth?: number) => {
  try {
    parseJson(text, maxDepth);
  } catch (error) {
    return error instanceof Problem ? error.code : String(error);
  }
  return undefined;
};

describe('parseJson (protocol/safeJson.ts)', () => {
  it('parses JSON nested up to the limit and refuses one level more, however the levels are made', () => {
    assert.deepEqual(parseJson(nested(MAX_JSON_DEPTH)), JSON.parse(nested(MAX_JSON_DEPTH)));
    assert.equal(refusedAs(nested(MAX_JSON_DEPTH + 2)), 'request.nesting-too-deep');
    assert.equal(refusedAs('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1)), 'request.nesting-too-deep');
    assert.equal(refusedAs('[[[]]]', 2), 'request.nesting-too-deep');
    assert.deepEqual(parseJson('[[]]', 2), [[]]);
  });

  it('counts no bracket inside a string, escaped quotes included, however many there are', () => {
    const brackets = `"${'{['.repeat(100)}\\"{["`;
    assert.deepEqual(parseJson(`{"text":${brackets},"list":[1,[2]]}`, 3), { text: `${'{['.repeat(100)}"{[`, list: [1, [2]] });
    assert.equal(refusedAs(`{"text":${brackets},"list":[1,[2]]}`, 2), 'request.nesting-too-deep');
  });

  it('refuses text that is not JSON, with few brackets or many', () => {
    assert.equal(refusedAs('{"a": 1'), 'request.malformed-json');
    assert.equal(refusedAs(`[${'[1],'.repeat(100)}`), 'request.malformed-json');
  });
});
