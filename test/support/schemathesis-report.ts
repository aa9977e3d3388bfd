import fs from 'node:fs';

/** The parts of a schemathesis run a reader needs: its summary, and each distinct failure per operation. */
export function digest(output: string): { summary: string; failures: string[] } {
  const lines = output.split('\n');
  const summaryStart = lines.findIndex((l) => /=+ SUMMARY =+/.test(l));
  const summary = summaryStart < 0 ? '(no summary: the run did not finish)' : lines.slice(summaryStart + 1).filter((l) => !/^\s*$/.test(l) && !/^(Seed|For more information)/.test(l.trim())).join('\n');
  const failures = new Set<string>();
  let operation = '';
  let inFailures = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (/^=+ FAILURES =+$/.test(line)) inFailures = true;
    else if (/^=+ [A-Z ]+ =+$/.test(line)) inFailures = false;
    if (!inFailures) continue;
    const header = /^_+ (\S+ \S+) _+$/.exec(line);
    if (header) operation = header[1];
    const check = /^- (ST\d+ .*)$/.exec(line);
    if (check) {
      const detail = lines.slice(i + 1).map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('- ST')) ?? '';
      failures.add(`${operation}: ${check[1]}: ${detail.slice(0, 160)}`);
    }
  }
  return { summary, failures: [...failures].sort() };
}

/** Writes the per-role findings as Markdown, when ATS_SCHEMATHESIS_FINDINGS names a file. */
export function writeFindings(runs: Map<string, { exit: number; output: string }>, header: string): void {
  const file = process.env.ATS_SCHEMATHESIS_FINDINGS;
  if (!file) return;
  const sections = [...runs].map(([role, run]) => {
    const { summary, failures } = digest(run.output);
    return [`## ${role}: exit ${run.exit}`, '', '```', summary.replace(/^ {4}/gm, ''), '```', '', ...failures.map((f) => `- ${f}`), ''].join('\n');
  });
  fs.writeFileSync(file, [`# schemathesis findings`, '', header, '', ...sections].join('\n'));
}
