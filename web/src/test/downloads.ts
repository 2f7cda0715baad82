import { vi } from 'vitest';

export interface SavedFile {
  filename: string;
  blob: Blob;
}

/** Replaces blob URLs and link clicks so that every file the app saves is recorded (name and content). */
export function captureDownloads(): SavedFile[] {
  const saved: SavedFile[] = [];
  const blobs = new Map<string, Blob>();
  URL.createObjectURL = vi.fn((blob: Blob) => {
    const url = `blob:test/${blobs.size}`;
    blobs.set(url, blob);
    return url;
  }) as typeof URL.createObjectURL;
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    const blob = blobs.get(this.href);
    if (blob) saved.push({ filename: this.download, blob });
  });
  return saved;
}

/** The text of a saved file (a fetched body's Blob is Node's, which jsdom's FileReader refuses). */
export function readBlob(blob: Blob): Promise<string> {
  if (Object.getPrototypeOf(blob) !== window.Blob.prototype) return blob.text();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}
