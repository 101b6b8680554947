import { watch, type FSWatcher } from 'node:fs';
import { pkiLayout } from './pkiLayout.ts';
import { loadTrustMaterial, type TrustMaterial } from './tlsMaterial.ts';

export interface PkiWatchOptions {
  /** Quiet time after the last file event before reloading; default 100 ms. */
  debounceMs?: number;
  /** Poll instead of using fs.watch (which network file systems do not support); default false. */
  polling?: boolean;
  /** Poll period, also used when fs.watch fails; default 1000 ms. */
  pollIntervalMs?: number;
  /** The material the caller already uses, so an event that changes nothing is not delivered. */
  current?: TrustMaterial;
  onError?: (error: Error) => void;
}

export interface PkiWatcher {
  close(): void;
}

/**
 * Calls `onChange` with the reloaded trust material whenever a CRL in the
 * PKI folder changes (a revocation, the CRL keeper, `flexgate pki crl`), so
 * the gateway can swap its TLS secure context without a restart. Calls
 * only when the content differs from what it delivered last (or `current`).
 */
export function watchPki(dir: string, onChange: (material: TrustMaterial) => void, options: PkiWatchOptions = {}): PkiWatcher {
  const { crlDir } = pkiLayout(dir);
  const debounceMs = options.debounceMs ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  let delivered = options.current ? JSON.stringify(options.current) : undefined;
  let closed = false;
  let debounce: NodeJS.Timeout | undefined;
  let poller: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;

  const reload = async () => {
    try {
      const material = await loadTrustMaterial(dir);
      const fingerprint = JSON.stringify(material);
      if (closed || fingerprint === delivered) return;
      delivered = fingerprint;
      onChange(material);
    } catch (error) {
      if (!closed) options.onError?.(error as Error);
    }
  };
  const scheduleReload = () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => void reload(), debounceMs);
    debounce.unref();
  };
  const startPolling = () => {
    watcher?.close();
    poller ??= setInterval(() => void reload(), pollIntervalMs);
    poller.unref();
  };

  if (options.polling) {
    startPolling();
  } else {
    try {
      watcher = watch(crlDir, { persistent: false }, scheduleReload);
      watcher.on('error', (error) => {
        options.onError?.(error);
        startPolling();
      });
    } catch (error) {
      options.onError?.(error as Error);
      startPolling();
    }
  }

  return {
    close() {
      closed = true;
      clearTimeout(debounce);
      clearInterval(poller);
      watcher?.close();
    },
  };
}
