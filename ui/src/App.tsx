/** The portal's frame: navigation on the left, the page for the current path on the right. */
import type { ReactNode } from 'react';
import { useLoad } from './hooks.ts';
import { Link, useLocation } from './router.tsx';
import { ActionsPage } from './pages/actions-page.tsx';
import { ConnectorsPage } from './pages/connectors-page.tsx';
import { DlqPage } from './pages/dlq-page.tsx';
import { LineagePage } from './pages/lineage-page.tsx';
import { ProductsPage } from './pages/products-page.tsx';
import { SchemasPage } from './pages/schemas-page.tsx';
import { SearchPage } from './pages/search-page.tsx';
import { StatementsPage } from './pages/statements-page.tsx';
import { SubjectPage } from './pages/subject-page.tsx';
import { TopicPage } from './pages/topic-page.tsx';
import { TopicsPage } from './pages/topics-page.tsx';

const NAV = [
  { to: '/topics', label: 'Topics', icon: '☰' },
  { to: '/schemas', label: 'Schemas', icon: '{}' },
  { to: '/products', label: 'Data products', icon: '◆' },
  { to: '/statements', label: 'Statements', icon: '⚡' },
  { to: '/connectors', label: 'Connectors', icon: '⇄' },
  { to: '/lineage', label: 'Lineage', icon: '⤳' },
  { to: '/dlq', label: 'DLQ', icon: '⚠' },
  { to: '/actions', label: 'Actions', icon: '✦' },
  { to: '/search', label: 'Search', icon: '⌕' },
];

function page(path: string): ReactNode {
  const parts = path.split('/').filter(Boolean);
  const [section, name] = [parts[0] ?? 'topics', parts.slice(1).join('/')];
  switch (section) {
    case 'topics':
      return name ? <TopicPage key={name} topic={name} /> : <TopicsPage />;
    case 'schemas':
      return name ? <SubjectPage key={name} subject={name} /> : <SchemasPage />;
    case 'products':
      return <ProductsPage />;
    case 'statements':
      return <StatementsPage />;
    case 'connectors':
      return <ConnectorsPage />;
    case 'lineage':
      return <LineagePage />;
    case 'dlq':
      return <DlqPage topic={name || undefined} />;
    case 'actions':
      return <ActionsPage />;
    case 'search':
      return <SearchPage />;
    default:
      return (
        <div className="empty">
          No page at {path}. <Link to="/topics">Go to topics</Link>
        </div>
      );
  }
}

function HealthIndicator() {
  const health = useLoad(async () => (await fetch('/health')).json() as Promise<{ status: string; log: string }>, [], 10000);
  const ok = health.data?.status === 'ok' && !health.error;
  return (
    <div className="health" title={health.error ? health.error.message : undefined}>
      <span className={`live-dot ${ok ? 'on' : 'off'}`} /> {ok ? `${health.data!.log === 'kafka' ? 'Kafka' : 'embedded'} log` : 'unreachable'}
    </div>
  );
}

export function App() {
  const { path } = useLocation();
  const section = `/${path.split('/').filter(Boolean)[0] ?? 'topics'}`;
  return (
    <div className="app">
      <nav className="sidebar">
        <Link to="/topics" className="brand">
          <span className="logo">‹</span> shiftleft
          <span className="brand-sub">data portal</span>
        </Link>
        {NAV.map((item) => (
          <Link key={item.to} to={item.to} className={section === item.to ? 'nav-item active' : 'nav-item'}>
            <span className="nav-icon">{item.icon}</span>
            {item.label}
          </Link>
        ))}
        <div className="spacer" />
        <HealthIndicator />
      </nav>
      <main className="content">{page(path)}</main>
    </div>
  );
}
