import fs from 'node:fs';

/** The parts of a schemathesis run a reader needs: its summary, and each distinct failure per operation. */
export function digest(output: string): { summary: string; failures: string[] } {
  const lines = output.split('\n');
  const summaryStart = lines.findIndex((l) => /=+ SUMMARY =+/.test(l));
  const summary =
    summaryStart < 0
      ? '(no summary: the run did not finish)'
      : lines
          .slice(summaryStart + 1)
          .filter((l) => !/^\s*$/.test(l) && !/^(Seed|For more information)/.test(l.trim()))
          .join('\n');
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
      // The failure's block runs to its `st replay` line: keep the first detail, the answer and the request.
      const block: string[] = [];
      for (let j = i + 1; j < lines.length && !/^st replay/.test(lines[j].trim()) && !/^- ST\d+/.test(lines[j].trim()); j++) {
        if (lines[j].trim()) block.push(lines[j].trim());
      }
      const detail = block[0] ?? '';
      const answer = block.findIndex((l) => /^\[\d{3}\]/.test(l));
      const curl = block.find((l) => l.startsWith('curl '));
      const parts = [`${operation}: ${check[1]}: ${detail.slice(0, 160)}`];
      if (answer >= 0) parts.push(`answer ${block[answer]} ${(block[answer + 1] ?? '').slice(0, 400)}`);
      if (curl) parts.push(`request \`${curl.slice(0, 400)}\``);
      failures.add(parts.join('\n  - '));
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
    return [
      `## ${role}: exit ${run.exit}`,
      '',
      '```',
      summary.replace(/^ {4}/gm, ''),
      '```',
      '',
      ...failures.map((f) => `- ${f}`),
      '',
    ].join('\n');
  });
  fs.writeFileSync(file, [`# schemathesis findings`, '', header, '', ...sections].join('\n'));
}
