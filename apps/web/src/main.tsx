import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { queryClient } from './app/query-client.ts';
import { AppRouter } from './app/router.tsx';
import { i18nReady } from './app/i18n.ts';
import 'antd/dist/reset.css';
import './app/loading.css';

// The first paint waits for the shown language's strings (one small chunk, app/i18n.ts). No antd here: the staff
// app's providers load with the login page and the staff shell (router.tsx), so the public phone pages skip them.
void i18nReady.then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <AppRouter />
      </QueryClientProvider>
    </StrictMode>,
  ),
);
