import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/** The offset in a `/proc/<pid>/fdinfo/<fd>` text (its `pos:` line), or null. Pure. */
export function parseFdinfoPosition(text: string): number | null {
  const match = /^pos:\s*(\d+)\s*$/m.exec(text);
  if (!match?.[1]) return null;
  const pos = Number(match[1]);
  return Number.isSafeInteger(pos) ? pos : null;
}

/**
 * How far a running process has read one file: the offset of the
 * descriptor it holds on it, from Linux's `/proc`. Demuxers read a source
 * front to back, so offset / size is the share of it consumed, true
 * whatever its header claims about the duration (an MP3 without a Xing
 * header, a FLAC whose STREAMINFO lies).
 *
 * The reads are synchronous on purpose: `/proc` files are made by the
 * kernel on read and never wait on a disk, and the caller asks about twice
 * a second, between ffmpeg's progress blocks.
 */
export class InputReadTracker {
  private fd: string | null = null;

  /** `file` is the path as /proc shows it: absolute, symlinks resolved. */
  constructor(
    private readonly pid: number,
    private readonly file: string,
    private readonly sizeBytes: number,
    private readonly procRoot = '/proc',
  ) {}

  /** Share of the file read so far (0-1), or null when it cannot be told (not Linux, not open). */
  fraction(): number | null {
    if (!(this.sizeBytes > 0)) return null;
    const pos = this.position();
    return pos === null ? null : Math.min(1, pos / this.sizeBytes);
  }

  private position(): number | null {
    try {
      // A closed descriptor's number can be reused for an output file.
      if (this.fd === null || !this.opens(this.fd)) this.fd = this.findDescriptor();
      if (this.fd === null) return null;
      return parseFdinfoPosition(readFileSync(path.join(this.procRoot, String(this.pid), 'fdinfo', this.fd), 'utf8'));
    } catch {
      // The process ended or closed the file: ask again next time.
      this.fd = null;
      return null;
    }
  }

  private findDescriptor(): string | null {
    for (const fd of readdirSync(path.join(this.procRoot, String(this.pid), 'fd'))) {
      if (this.opens(fd)) return fd;
    }
    return null;
  }

  private opens(fd: string): boolean {
    try {
      return readlinkSync(path.join(this.procRoot, String(this.pid), 'fd', fd)) === this.file;
    } catch {
      // Closed between the listing and the read.
      return false;
    }
  }
}
