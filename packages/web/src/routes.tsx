import { createBrowserRouter } from 'react-router';
import { RouteError } from './components/ErrorPanel.tsx';
import { Layout } from './components/Layout.tsx';
import { Account } from './pages/Account.tsx';
import { Catalogue } from './pages/Catalogue.tsx';
import { DatasetDetail } from './pages/DatasetDetail.tsx';
import { Home } from './pages/Home.tsx';
import { NotFound } from './pages/NotFound.tsx';
import { ServiceDetail } from './pages/ServiceDetail.tsx';
import { Services } from './pages/Services.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { SignInRequired } from './pages/SignInRequired.tsx';
import { StatisticsPage } from './pages/Statistics.tsx';

/**
 * The portal's addresses. `consent/:uid` is where the platform's authorization server sends the
 * browser when a service asks for data. Download, usage log and the counter QR code are places kept
 * for later issues: today they say that sign-in is needed, or that they are coming.
 */
export const router = createBrowserRouter([
  {
    element: <Layout />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <Home /> },
      { path: 'datasets', element: <Catalogue /> },
      { path: 'datasets/:id', element: <DatasetDetail /> },
      { path: 'services', element: <Services /> },
      { path: 'services/:id', element: <ServiceDetail /> },
      { path: 'statistics', element: <StatisticsPage /> },
      { path: 'sign-in', element: <SignIn /> },
      { path: 'account', element: <Account /> },
      { path: 'download', element: <SignInRequired feature="download" /> },
      // Loaded when first visited: most visits never reach the consent pages.
      {
        path: 'consents',
        lazy: async () => ({ Component: (await import('./pages/MyConsents.tsx')).MyConsents }),
      },
      {
        path: 'consent/:uid',
        lazy: async () => ({ Component: (await import('./pages/Consent.tsx')).ConsentPage }),
      },
      { path: 'usage-log', element: <SignInRequired feature="usageLog" /> },
      { path: 'counter', element: <SignInRequired feature="counter" /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);
