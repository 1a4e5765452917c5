/** The Korean catalog. Keys must match en.ts exactly; the Record type makes a missing or extra key a type error. */
import type { MessageKey } from './en';

export const ko: Record<MessageKey, string> = {
  'app.name': 'LayerLab',
  'app.tagline': 'PyTorch 방식으로 배우는 신경망',

  'locale.label': '언어',

  'engine.heading': '엔진',
  'engine.state.starting': '시작하는 중',
  'engine.state.ready': '준비됨',
  'engine.state.restarting': '다시 시작하는 중',
  'engine.state.failed': '실패',
  'engine.state.unknown': '알 수 없음',
  'engine.stateWithReason': '{state}: {reason}',
  'engine.pid': '프로세스',
  'engine.backendInUse': '계산 백엔드',
  'engine.backends': '감지된 백엔드',
  'engine.noBackends': '아직 보고된 백엔드가 없습니다',
  'engine.none': '—',
  'engine.restarts': '{count}번 다시 시작됨',
  'engine.unreachable': '엔진 상태를 읽지 못했습니다: {message}',

  'connection.connecting': 'LayerLab 서버에 연결하는 중…',
  'connection.reconnecting': 'LayerLab 서버와 연결이 끊겼습니다. {seconds}초 뒤에 다시 시도합니다…',
  'connection.closed': 'LayerLab 서버와 연결이 끊겼습니다.',
  'connection.newAddressHint': '서버를 다시 시작했다면 서버가 새로 출력한 주소를 여세요. 시작할 때마다 토큰이 달라집니다.',

  'tabs.label': '작업 공간',
  'tab.build': '만들기',
  'tab.train': '학습',
  'tab.predict': '예측',
  'tab.data': '데이터',
  'tab.build.about': 'torch.nn.Sequential처럼 층을 쌓고, 텐서 모양이 어떻게 흘러가는지 살펴보세요.',
  'tab.train.about': 'MNIST로 신경망을 학습시키고, 배치마다 손실이 줄어드는 모습을 지켜보세요.',
  'tab.predict.about': '숫자를 그리면 신경망이 무엇이라고 생각하는지, 얼마나 확신하는지 보여 줍니다.',
  'tab.data.about': 'MNIST 이미지를 둘러보고, 학습용과 검증용 샘플이 어떻게 나뉘는지 확인하세요.',
  'tab.comingSoon': '다음 버전에서 제공됩니다.',

  'about.label': '정보',
  'about.line': '{name} {version}',
  'about.host.electron': '데스크톱 앱',
  'about.host.web': '브라우저',
  'about.hostLine': '{platform}의 {host}',
  'about.loading': '앱 정보를 불러오는 중…',
  'about.unavailable': '앱 정보를 가져올 수 없습니다: {message}',
};
