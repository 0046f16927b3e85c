/** A config nginx itself would refuse to parse, named by file and line as nginx reports it. */
export class NginxConfigSyntaxError extends Error {
  readonly file: string;
  readonly line: number;
  /** What is wrong, without the location, e.g. `unexpected "}"`. */
  readonly problem: string;

  constructor(file: string, line: number, problem: string) {
    super(`${problem} in ${file}:${line}`);
    this.name = 'NginxConfigSyntaxError';
    this.file = file;
    this.line = line;
    this.problem = problem;
  }
}
