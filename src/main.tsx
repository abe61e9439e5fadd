import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './index.css';
import { App } from './app/App';
import { bootstrap } from './app/bootstrap';
import { StartupError } from './app/StartupError';

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html must contain #root');
const root = createRoot(rootElement);

bootstrap().then(
  (services) =>
    root.render(
      <StrictMode>
        <App services={services} />
      </StrictMode>,
    ),
  (error: unknown) => root.render(<StartupError error={error} />),
);
