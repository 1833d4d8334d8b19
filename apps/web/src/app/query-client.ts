import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client.ts';

/** The one query cache of the app (public pages and staff app alike); the router clears the user from it on a 401. */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (n, err) => !(err instanceof ApiError && err.status < 500) && n < 2,
      refetchOnWindowFocus: false,
      staleTime: 10_000,
    },
  },
});
