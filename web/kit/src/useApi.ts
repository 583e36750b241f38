// `useApi`: load a JSON route of the member's API into component state, with loading/error flags and a reload.
import { useCallback, useEffect, useState } from "react";
import { getJson, type Query } from "./api.ts";

/** What `useApi` returns: the last good data, the last error, whether a request is in flight, and a way to refetch. */
export interface ApiState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/** Fetches `path` (with `query`) on mount and whenever they change; `null` skips the request. */
export function useApi<T>(path: string | null, query?: Query): ApiState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(path !== null);
  const [generation, setGeneration] = useState(0);
  const queryKey = JSON.stringify(query ?? {});

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setLoading(true);
    getJson<T>(path, JSON.parse(queryKey) as Query, controller.signal)
      .then((value) => {
        setData(value);
        setError(undefined);
      })
      .catch((reason: unknown) => {
        if (controller.signal.aborted) return;
        setError(reason instanceof Error ? reason : new Error(String(reason)));
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [path, queryKey, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { data, error, loading, reload };
}
