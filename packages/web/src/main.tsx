import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { isTransient } from './api.ts';
import { initI18n } from './i18n/index.ts';
import { router } from './routes.tsx';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // One quick retry covers a blip; a 404 or a refused request will not change by asking again.
      retry: (failures, error) => failures < 1 && isTransient(error),
      staleTime: 60_000,
      refetchOnWindowFocus: false,
    },
  },
});

await initI18n();
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
