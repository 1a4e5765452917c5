/** Entry point: pick the language and theme, find the host, start the app. */
import { mount } from 'svelte';
import App from './App.svelte';
import { connectHost } from './lib/host/connect-host';
import { i18n } from './lib/i18n/i18n.svelte';
import { pickLocale } from './lib/i18n/translate';
import { theme } from './features/shell/theme.svelte';

i18n.locale = pickLocale(location.search, navigator.languages);
// Before the first paint, so a dark choice never flashes light.
theme.apply();

const target = document.getElementById('app');
if (!target) throw new Error('index.html lost its #app element');

mount(App, { target, props: { host: connectHost() } });
