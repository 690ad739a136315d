import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A load process of a benchmark (a script of bench/ run by Node with tsx), driven over IPC: commands
 * go in, replies come back and are taken in order by their type.
 */
export class LoadProcess<Command, Reply extends { type: string }> {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #stop: Command;

  /**
   * @param stop the command that makes the process close its connections and exit.
   * @param niceness the process's scheduling priority (19 the lowest): a load that must not take the
   *   cores of the server it measures, as a remote client's own machine never would.
   */
  constructor(script: string, stop: Command, niceness = 0) {
    this.#child = spawn('nice', ['-n', String(niceness), process.execPath, '--import', 'tsx', script], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#stop = stop;
    this.#exited = new Promise((resolve) => this.#child.once('exit', () => resolve()));
  }

  get pid(): number {
    return this.#child.pid!;
  }

  tell(command: Command): void {
    this.#child.send(command as object);
  }

  ask<T extends Reply['type']>(command: Command, reply: T): Promise<Extract<Reply, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: Reply) => {
        if (message.type !== reply) return;
        this.#child.off('message', onMessage);
        this.#child.off('exit', onExit);
        resolve(message as Extract<Reply, { type: T }>);
      };
      const onExit = (code: number | null) => reject(new Error(`a load process exited with ${code}`));
      this.#child.on('message', onMessage);
      this.#child.once('exit', onExit);
      this.#child.send(command as object);
    });
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null) this.#child.send(this.#stop as object);
    await this.#exited;
  }
}
