/**
 * The English catalog, and the source of truth for message keys: ko.ts must have exactly these keys (the type says
 * so, and a test checks it at run time too). `{name}` marks a parameter; t() demands exactly those parameters.
 */
export const en = {
  'app.name': 'LayerLab',
  'app.tagline': 'Learn neural networks the PyTorch way',

  'locale.label': 'Language',

  'engine.heading': 'Engine',
  'engine.state.starting': 'Starting',
  'engine.state.ready': 'Ready',
  'engine.state.restarting': 'Restarting',
  'engine.state.failed': 'Failed',
  'engine.state.unknown': 'Unknown',
  'engine.stateWithReason': '{state}: {reason}',
  'engine.pid': 'Process',
  'engine.backendInUse': 'Computing on',
  'engine.backends': 'Detected backends',
  'engine.noBackends': 'No backends reported yet',
  'engine.none': '—',
  'engine.restarts': 'Restarted {count}×',
  'engine.unreachable': 'Could not read the engine status: {message}',

  'connection.connecting': 'Connecting to the LayerLab server…',
  'connection.reconnecting': 'Lost the connection to the LayerLab server. Trying again in {seconds} s…',
  'connection.closed': 'Disconnected from the LayerLab server.',
  'connection.newAddressHint': 'If you restarted the server, open the new address it printed: each start has its own token.',

  'tabs.label': 'Workspace',
  'tab.build': 'Build',
  'tab.train': 'Train',
  'tab.predict': 'Predict',
  'tab.data': 'Data',
  'tab.build.about': 'Stack layers the way torch.nn.Sequential does, and watch the tensor shapes flow through.',
  'tab.train.about': 'Train your network on MNIST and watch the loss fall, batch by batch.',
  'tab.predict.about': 'Draw a digit and see what your network thinks it is, and how sure it is.',
  'tab.data.about': 'Browse the MNIST images and see how training and validation samples are split.',
  'tab.comingSoon': 'Coming in a later version.',

  'about.label': 'About',
  'about.line': '{name} {version}',
  'about.host.electron': 'desktop app',
  'about.host.web': 'in the browser',
  'about.hostLine': '{host} on {platform}',
  'about.loading': 'Loading app info…',
  'about.unavailable': 'App info unavailable: {message}',
} as const;

export type MessageKey = keyof typeof en;
