/** A config HAProxy itself would refuse to parse, named by file and line. */
export class HaproxyConfigSyntaxError extends Error {
  readonly file: string;
  readonly line: number;
  /** What is wrong, without the location. */
  readonly problem: string;

  constructor(file: string, line: number, problem: string) {
    super(`parsing [${file}:${line}] : ${problem}`);
    this.name = 'HaproxyConfigSyntaxError';
    this.file = file;
    this.line = line;
    this.problem = problem;
  }
}
