import { createBrowserRouter, Navigate } from 'react-router';
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
import { StatisticsPage } from './pages/Statistics.tsx';

/**
 * The portal's addresses. `consent/:uid` is where the platform's authorization server sends the
 * browser when a service asks for data; `download` is the citizen's own data download. `counter` is
 * where a citizen shows a QR code at a counter and `clerk` where the counter clerk redeems it.
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
      {
        path: 'download',
        lazy: async () => ({ Component: (await import('./pages/Download.tsx')).DownloadPage }),
      },
      // Loaded when first visited: most visits never reach the consent pages.
      {
        path: 'consents',
        lazy: async () => ({ Component: (await import('./pages/MyConsents.tsx')).MyConsents }),
      },
      {
        path: 'consent/:uid',
        lazy: async () => ({ Component: (await import('./pages/Consent.tsx')).ConsentPage }),
      },
      {
        path: 'invitations/:id',
        lazy: async () => ({ Component: (await import('./pages/Invitation.tsx')).InvitationPage }),
      },
      {
        path: 'usage-log',
        lazy: async () => ({ Component: (await import('./pages/UsageLog.tsx')).UsageLog }),
      },
      // Staff of organisations and the platform operator: few visitors, loaded only when visited.
      {
        path: 'organisations',
        lazy: async () => ({
          Component: (await import('./pages/onboarding/Organisations.tsx')).OrganisationsPage,
        }),
      },
      {
        path: 'organisations/:id',
        lazy: async () => ({
          Component: (await import('./pages/onboarding/Organisation.tsx')).OrganisationPage,
        }),
      },
      {
        path: 'operator',
        lazy: async () => ({ Component: (await import('./pages/operator/Operator.tsx')).OperatorPage }),
      },
      {
        path: 'operator/applications/:id',
        lazy: async () => ({
          Component: (await import('./pages/operator/OperatorApplication.tsx')).OperatorApplicationPage,
        }),
      },
      // The address the notification e-mails and texts link to.
      { path: 'my/usage-log', element: <Navigate to="/usage-log" replace /> },
      {
        path: 'counter',
        lazy: async () => ({ Component: (await import('./pages/counter/Counter.tsx')).CounterPage }),
      },
      {
        path: 'clerk',
        lazy: async () => ({ Component: (await import('./pages/counter/Clerk.tsx')).ClerkPage }),
      },
      { path: '*', element: <NotFound /> },
    ],
  },
]);
