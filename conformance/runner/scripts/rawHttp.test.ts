import assert from 'node:assert/strict';
import { parseAnswers } from './rawHttp.ts';

describe('answers read off the wire', () => {
  const problem = '{"type":"urn:flexgate:problem:request.rate-limited","status":429}';
  const fixed = `HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/problem+json\r\nRetry-After: 1\r\nContent-Length: ${problem.length}\r\n\r\n${problem}`;
  const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n';

  it('splits pipelined answers, with Content-Length and chunked bodies, and names the problem type', () => {
    const answers = parseAnswers(Buffer.from(fixed + chunked + fixed));
    assert.deepEqual(
      answers.map((a) => [a.status, a.body, a.problem]),
      [
        [429, problem, 'request.rate-limited'],
        [200, 'abcde', undefined],
        [429, problem, 'request.rate-limited'],
      ],
    );
    assert.equal(answers[0]!.headers['retry-after'], '1');
  });

  it('leaves out an answer whose body has not all arrived', () => {
    assert.equal(parseAnswers(Buffer.from(fixed + fixed.slice(0, -5))).length, 1);
    assert.equal(parseAnswers(Buffer.from(chunked.slice(0, -4))).length, 0);
  });
});
