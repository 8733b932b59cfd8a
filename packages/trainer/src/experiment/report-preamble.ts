/** The lines every report opens with after its status: the command that made it, how to rerun it, the notes. */
export function reportPreamble(command: string, notes: readonly string[]): string[] {
  return [
    'Made with:',
    '',
    '```sh',
    command,
    '```',
    '',
    'Rerunning the same command resumes: finished runs are not rerun. With `--report-only` it trains nothing and rewrites ' +
      'this report, results.json and the figures from the runs\' files, byte for byte.',
    '',
    ...(notes.length ? ['## Notes', '', ...notes.map((n) => `- ${n}`), ''] : []),
  ];
}
