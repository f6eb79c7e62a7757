import { useQuery, useQueryClient } from '@tanstack/react-query';
import { identityApi, type SessionView } from './api.ts';

export const SESSION_KEY = ['identity', 'session'] as const;

/** The citizen's session on this browser: `null` when nobody is signed in. */
export function useSession() {
  return useQuery<SessionView | null>({
    queryKey: SESSION_KEY,
    queryFn: identityApi.session,
    // The session can end on another tab or device; ask again when the page is used.
    staleTime: 15_000,
  });
}

/** After a sign-in, step-up or sign-out everything about the citizen is asked again. */
export function useRefreshIdentity(): () => Promise<void> {
  const client = useQueryClient();
  return async () => {
    await client.invalidateQueries({ queryKey: ['identity'] });
  };
}
