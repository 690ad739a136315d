import type { KeyProblem, Problem } from '../lib/Problem';
import type { Messages, StudioMessages } from './messages';

/** A problem said in the page's language; plain text, never HTML. */
export function problemText(t: Messages, problem: Problem): string {
  const said = t.problems;
  switch (problem.kind) {
    case 'service':
      return problem.reason === undefined ? said.service[problem.code] : said.reason[problem.reason];
    case 'device':
      return said.device[problem.failure];
    case 'publish':
      return said.publish[problem.failure];
    case 'retrying':
      return said.retrying(problemText(t, problem.cause));
    case 'form':
      return said.form[problem.field];
    case 'mirrorLine':
      return t.studio.mirrorsLineInvalid(problem.line);
    case 'key':
      return keyProblemText(t.studio, problem.problem);
    case 'unknown':
      return said.unknown;
  }
}

function keyProblemText(t: StudioMessages, problem: KeyProblem): string {
  const texts: Record<KeyProblem, string> = {
    malformed: t.keyMalformed,
    notAccepted: t.keyNotAccepted,
    savedRejected: t.savedKeyRejected,
    revoked: t.keyRevokedProblem,
    instanceRejected: t.instanceKeyRejected,
  };
  return texts[problem];
}
