import type { Language } from './i18n.ts';

interface ErrorDefinition {
  status: number;
  title: Record<Language, string>;
  /** What happened and what the person can do, with `{param}` placeholders filled from the error's params. */
  detail: Record<Language, string>;
}

/**
 * Every error the platform can answer with. The code is the contract (clients and the web portal
 * branch on it and translate it); the text is for people and may change.
 */
export const ERROR_CATALOGUE = {
  'request.invalid': {
    status: 400,
    title: { 'zh-TW': '請求內容不正確', en: 'The request is not valid' },
    detail: {
      'zh-TW': '請求中有欄位不符合規格：{summary}。請依 errors 列出的位置修正後再送出。',
      en: 'Some fields of the request do not match the specification: {summary}. Fix the places listed in errors and send it again.',
    },
  },
  'request.malformed-json': {
    status: 400,
    title: { 'zh-TW': 'JSON 格式錯誤', en: 'Malformed JSON' },
    detail: {
      'zh-TW': '請求本文不是有效的 JSON（{reason}）。請檢查括號、引號與逗號後再送出。',
      en: 'The request body is not valid JSON ({reason}). Check brackets, quotes and commas and send it again.',
    },
  },
  'request.body-too-large': {
    status: 413,
    title: { 'zh-TW': '請求本文過大', en: 'Request body too large' },
    detail: {
      'zh-TW': '請求本文超過上限 {limit} 位元組。請縮減內容或分批送出。',
      en: 'The request body exceeds the limit of {limit} bytes. Send less data or split it into several requests.',
    },
  },
  'request.unsupported-media-type': {
    status: 415,
    title: { 'zh-TW': '不支援的內容類型', en: 'Unsupported media type' },
    detail: {
      'zh-TW': '此端點只接受 application/json，收到的是 {contentType}。',
      en: 'This endpoint accepts application/json only; it received {contentType}.',
    },
  },
  'request.not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此網址', en: 'No such address' },
    detail: {
      'zh-TW': '{method} {url} 不存在。可用的端點請見 /openapi.json。',
      en: '{method} {url} does not exist. The available endpoints are listed in /openapi.json.',
    },
  },
  'catalogue.organisation-not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此機關或業者', en: 'Organisation not found' },
    detail: {
      'zh-TW': '目錄中沒有代碼為「{id}」的機關或業者。請由 /api/v1/organisations 查詢正確代碼。',
      en: 'The catalogue has no organisation with id "{id}". Look up the right id at /api/v1/organisations.',
    },
  },
  'catalogue.dataset-not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此資料項目', en: 'Dataset not found' },
    detail: {
      'zh-TW': '目錄中沒有代碼為「{id}」的資料項目。請由 /api/v1/datasets 查詢正確代碼。',
      en: 'The catalogue has no dataset with id "{id}". Look up the right id at /api/v1/datasets.',
    },
  },
  'catalogue.service-not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此服務', en: 'Service not found' },
    detail: {
      'zh-TW': '目錄中沒有代碼為「{id}」的服務。請由 /api/v1/services 查詢正確代碼。',
      en: 'The catalogue has no service with id "{id}". Look up the right id at /api/v1/services.',
    },
  },
  'catalogue.invalid': {
    status: 422,
    title: { 'zh-TW': '目錄內容不一致', en: 'The catalogue is inconsistent' },
    detail: {
      'zh-TW': '目錄有 {count} 個問題，第一個是：{first}。全部問題列於 errors。',
      en: 'The catalogue has {count} problem(s); the first is: {first}. All are listed in errors.',
    },
  },
  'exchange.agency-not-registered': {
    status: 503,
    title: { 'zh-TW': '資料提供機關尚未介接', en: 'Data provider not connected' },
    detail: {
      'zh-TW': '資料提供機關「{agency}」（{agencyId}）尚未在平臺完成介接登記，暫時無法取得其資料。',
      en: 'The data provider {agency} ({agencyId}) has not been registered with the platform yet, so its data cannot be fetched.',
    },
  },
  'exchange.agency-unreachable': {
    status: 502,
    title: { 'zh-TW': '無法連線資料提供機關', en: 'Data provider unreachable' },
    detail: {
      'zh-TW': '無法連線到資料提供機關「{agency}」（{agencyId}）：{reason}。請稍後再試。',
      en: 'Could not connect to the data provider {agency} ({agencyId}): {reason}. Try again later.',
    },
  },
  'exchange.timeout': {
    status: 504,
    title: { 'zh-TW': '資料提供機關回應逾時', en: 'Data provider timed out' },
    detail: {
      'zh-TW': '資料提供機關「{agency}」（{agencyId}）未在 {timeoutMs} 毫秒內回應。請稍後再試。',
      en: 'The data provider {agency} ({agencyId}) did not answer within {timeoutMs} ms. Try again later.',
    },
  },
  'exchange.tls-failure': {
    status: 502,
    title: { 'zh-TW': '與資料提供機關的加密連線失敗', en: 'Secure connection to data provider failed' },
    detail: {
      'zh-TW': '與資料提供機關「{agency}」（{agencyId}）建立雙向 TLS 連線失敗（{reason}），未傳送任何資料。',
      en: 'The mutual TLS connection to the data provider {agency} ({agencyId}) failed ({reason}); no data was exchanged.',
    },
  },
  'exchange.bad-signature': {
    status: 502,
    title: { 'zh-TW': '資料提供機關的回應簽章無效', en: 'Invalid response signature' },
    detail: {
      'zh-TW': '資料提供機關「{agency}」（{agencyId}）的回應簽章驗證失敗（{reason}），平臺不採用這份資料。',
      en: 'The response of the data provider {agency} ({agencyId}) failed signature verification ({reason}); the platform did not use it.',
    },
  },
  'exchange.wrong-request': {
    status: 502,
    title: { 'zh-TW': '回應不屬於本次請求', en: 'Response bound to another request' },
    detail: {
      'zh-TW':
        '資料提供機關「{agency}」（{agencyId}）的回應簽章有效，但綁定的是另一個請求，平臺不採用這份資料。',
      en: 'The data provider {agency} ({agencyId}) answered with a valid signature bound to a different request; the platform did not use it.',
    },
  },
  'exchange.stale-response': {
    status: 502,
    title: { 'zh-TW': '資料提供機關的回應已過時', en: 'Stale response' },
    detail: {
      'zh-TW':
        '資料提供機關「{agency}」（{agencyId}）的回應簽署時間與現在相差 {ageSeconds} 秒，超出容許範圍，平臺不採用。',
      en: 'The response of the data provider {agency} ({agencyId}) was signed {ageSeconds} s away from now, outside the allowed window; the platform did not use it.',
    },
  },
  'exchange.invalid-response': {
    status: 502,
    title: { 'zh-TW': '資料提供機關的回應格式錯誤', en: 'Malformed response' },
    detail: {
      'zh-TW': '資料提供機關「{agency}」（{agencyId}）的回應無法解讀（{reason}），平臺不採用。',
      en: 'The response of the data provider {agency} ({agencyId}) could not be read ({reason}); the platform did not use it.',
    },
  },
  'exchange.schema-violation': {
    status: 502,
    title: { 'zh-TW': '資料不符合資料項目規格', en: 'Data does not match the dataset schema' },
    detail: {
      'zh-TW':
        '資料提供機關「{agency}」（{agencyId}）提供的「{datasetId}」資料不符合目錄公告的格式（{summary}），平臺不採用。',
      en: 'The {datasetId} data from the data provider {agency} ({agencyId}) does not match the schema published in the catalogue ({summary}); the platform did not use it.',
    },
  },
  'exchange.no-such-person': {
    status: 404,
    title: { 'zh-TW': '資料提供機關查無此人資料', en: 'No record of this person' },
    detail: {
      'zh-TW': '資料提供機關「{agency}」（{agencyId}）回覆查無此人的「{datasetId}」資料。',
      en: 'The data provider {agency} ({agencyId}) answered that it holds no {datasetId} record of this person.',
    },
  },
  'exchange.not-permitted': {
    status: 403,
    title: { 'zh-TW': '資料提供機關拒絕提供', en: 'Data provider refused' },
    detail: {
      'zh-TW': '資料提供機關「{agency}」（{agencyId}）表示不提供「{datasetId}」資料給此請求。',
      en: 'The data provider {agency} ({agencyId}) does not provide {datasetId} data for this request.',
    },
  },
  'exchange.request-refused': {
    status: 502,
    title: { 'zh-TW': '資料提供機關拒絕平臺的請求', en: 'Data provider refused the request' },
    detail: {
      'zh-TW':
        '資料提供機關「{agency}」（{agencyId}）不接受平臺的簽章請求（{reason}）。平臺已記錄，將由維運人員處理。',
      en: 'The data provider {agency} ({agencyId}) did not accept the platform’s signed request ({reason}). This is logged for the operators.',
    },
  },
  'exchange.agency-error': {
    status: 502,
    title: { 'zh-TW': '資料提供機關系統錯誤', en: 'Data provider error' },
    detail: {
      'zh-TW': '資料提供機關「{agency}」（{agencyId}）的系統發生錯誤（HTTP {status}）。請稍後再試。',
      en: 'The system of the data provider {agency} ({agencyId}) failed (HTTP {status}). Try again later.',
    },
  },
  'exchange.circuit-open': {
    status: 503,
    title: { 'zh-TW': '資料提供機關暫停連線', en: 'Data provider temporarily paused' },
    detail: {
      'zh-TW':
        '資料提供機關「{agency}」（{agencyId}）近期連續失敗，平臺暫停向其請求，約 {retryAfterSeconds} 秒後再試。',
      en: 'The data provider {agency} ({agencyId}) failed repeatedly, so the platform has paused requests to it; try again in about {retryAfterSeconds} s.',
    },
  },
  'exchange.failed': {
    status: 502,
    title: { 'zh-TW': '無法取得全部資料', en: 'Not all data could be fetched' },
    detail: {
      'zh-TW':
        '以下資料提供機關未能提供資料：{agencies}。為避免資料不完整，這次沒有交付任何資料。請稍後再試一次。',
      en: 'These data providers could not provide their data: {agencies}. So that nothing incomplete is delivered, nothing was delivered this time. Please try again later.',
    },
  },
  'log.checkpoint-not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此檢查點', en: 'Checkpoint not found' },
    detail: {
      'zh-TW':
        '找不到使用紀錄的簽章檢查點（樹大小：{size}）。最新的檢查點請見 /api/v1/log/checkpoint；平臺啟動後數秒內會發布第一個檢查點。',
      en: 'No signed checkpoint of the usage log was found (tree size: {size}). The latest one is at /api/v1/log/checkpoint; the first is published within seconds of the platform starting.',
    },
  },
  'log.entry-not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此紀錄', en: 'Log entry not found' },
    detail: {
      'zh-TW': '使用紀錄中沒有序號 {index} 的紀錄；目前的樹大小為 {treeSize}。',
      en: 'The usage log has no entry at index {index}; the tree size is {treeSize}.',
    },
  },
  'log.range-invalid': {
    status: 422,
    title: { 'zh-TW': '證明範圍不正確', en: 'Invalid proof range' },
    detail: {
      'zh-TW': '無法產生此證明：{reason}。目前的樹大小為 {treeSize}。',
      en: 'This proof cannot be made: {reason}. The tree size is {treeSize}.',
    },
  },
  'identity.not-signed-in': {
    status: 401,
    title: { 'zh-TW': '尚未登入', en: 'Not signed in' },
    detail: {
      'zh-TW': '此功能需要先登入。請以自然人憑證、健保卡或其他方式驗證身分後再試（{reason}）。',
      en: 'This needs you to be signed in. Verify your identity with a citizen certificate, NHI card or another method and try again ({reason}).',
    },
  },
  'identity.csrf-rejected': {
    status: 403,
    title: { 'zh-TW': '請求來源無法確認', en: 'Request origin not confirmed' },
    detail: {
      'zh-TW': '為保護您的帳號，平臺拒絕了這個請求（{reason}）。請重新整理頁面後再操作一次。',
      en: 'To protect your account the platform refused this request ({reason}). Reload the page and try again.',
    },
  },
  'identity.method-unavailable': {
    status: 404,
    title: { 'zh-TW': '不提供此驗證方式', en: 'Sign-in method not offered' },
    detail: {
      'zh-TW': '平臺目前不提供「{method}」驗證方式。可用的方式請見 /api/v1/identity/methods。',
      en: 'The platform does not offer the sign-in method "{method}". The available methods are listed at /api/v1/identity/methods.',
    },
  },
  'identity.challenge-invalid': {
    status: 401,
    title: { 'zh-TW': '驗證挑戰碼無效', en: 'Challenge no longer valid' },
    detail: {
      'zh-TW': '這個驗證挑戰碼{reason}。每個挑戰碼只能使用一次且數分鐘內有效，請重新取得挑戰碼再簽章。',
      en: 'This challenge {reason}. A challenge can be used once and only for a few minutes; get a new one and sign again.',
    },
  },
  'identity.certificate-rejected': {
    status: 401,
    title: { 'zh-TW': '憑證驗證失敗', en: 'Certificate not accepted' },
    detail: {
      'zh-TW': '您的自然人憑證未通過檢查：{reason}。請確認插入的是本人有效的憑證卡，或改用其他驗證方式。',
      en: 'Your citizen certificate did not pass the check: {reason}. Make sure it is your own valid card, or use another method.',
    },
  },
  'identity.verification-failed': {
    status: 401,
    title: { 'zh-TW': '身分驗證未通過', en: 'Identity not verified' },
    detail: {
      'zh-TW': '您輸入的{what}與資料提供機關的紀錄不符。請核對後再試；連續失敗多次將暫時鎖定。',
      en: 'The {what} you entered does not match the records of the data provider. Check and try again; repeated failures lock the method for a while.',
    },
  },
  'identity.locked-out': {
    status: 429,
    title: { 'zh-TW': '驗證方式已暫時鎖定', en: 'Sign-in method locked' },
    detail: {
      'zh-TW':
        '因連續驗證失敗，此身分的「{method}」驗證已鎖定至 {until}。您可改用自然人憑證或健保卡登入，成功後即解除鎖定。',
      en: 'After repeated failures, "{method}" sign-in for this identity is locked until {until}. Sign in with a citizen certificate or NHI card instead; that lifts the lock.',
    },
  },
  'identity.rate-limited': {
    status: 429,
    title: { 'zh-TW': '嘗試次數過多', en: 'Too many attempts' },
    detail: {
      'zh-TW': '短時間內的「{method}」驗證嘗試過多，請約 {retryAfterSeconds} 秒後再試。',
      en: 'Too many "{method}" attempts in a short time; try again in about {retryAfterSeconds} s.',
    },
  },
  'identity.flow-expired': {
    status: 409,
    title: { 'zh-TW': '登入流程已逾時', en: 'Sign-in expired' },
    detail: {
      'zh-TW': '這次登入流程已逾時或不存在（{reason}）。請重新開始登入。',
      en: 'This sign-in has expired or does not exist ({reason}). Start signing in again.',
    },
  },
  'identity.second-method-must-differ': {
    status: 409,
    title: { 'zh-TW': '請改用另一種驗證方式', en: 'Use a different method' },
    detail: {
      'zh-TW': '首次使用須以兩種不同方式驗證身分，您已用過「{method}」。請改用：{candidates}。',
      en: 'The first sign-in needs two different methods and you have already used "{method}". Use one of: {candidates}.',
    },
  },
  'identity.different-person': {
    status: 409,
    title: { 'zh-TW': '兩次驗證不是同一人', en: 'Verifications name different people' },
    detail: {
      'zh-TW': '第二次驗證的身分與登入中的身分不同，平臺已中止此流程。請重新開始，並以本人的證件驗證。',
      en: 'The second verification identified a different person from the one signing in, so the platform stopped. Start again with your own credentials.',
    },
  },
  'identity.step-up-required': {
    status: 403,
    title: { 'zh-TW': '需要更高強度的身分驗證', en: 'Stronger verification needed' },
    detail: {
      'zh-TW':
        '此操作需要「{required}」等級的身分驗證，您目前是「{current}」。請先以 {candidates} 再驗證一次，登入狀態會保留。',
      en: 'This needs identity verified at "{required}"; your session is "{current}". Verify again with {candidates}; you stay signed in.',
    },
  },
  'identity.passkey-rejected': {
    status: 401,
    title: { 'zh-TW': '行動自然人憑證驗證失敗', en: 'Passkey not accepted' },
    detail: {
      'zh-TW': '您的行動自然人憑證（通行金鑰）未通過檢查：{reason}。請重試，或改用其他驗證方式。',
      en: 'Your mobile citizen certificate (passkey) did not pass the check: {reason}. Try again, or use another method.',
    },
  },
  'identity.passkey-not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此通行金鑰', en: 'Passkey not found' },
    detail: {
      'zh-TW': '您的帳號沒有代碼為「{id}」的通行金鑰。已登記的金鑰請見 /api/v1/identity/passkeys。',
      en: 'Your account has no passkey with id "{id}". Your enrolled passkeys are listed at /api/v1/identity/passkeys.',
    },
  },
  'identity.otp-incorrect': {
    status: 401,
    title: { 'zh-TW': '簡訊驗證碼不正確', en: 'Wrong one-time code' },
    detail: {
      'zh-TW': '您輸入的簡訊驗證碼不正確，這組驗證碼還可再試 {triesLeft} 次。請核對簡訊後再輸入。',
      en: 'The one-time code you entered is wrong; this code can be tried {triesLeft} more times. Check the text message and enter it again.',
    },
  },
  'identity.otp-expired': {
    status: 401,
    title: { 'zh-TW': '簡訊驗證碼已失效', en: 'One-time code no longer valid' },
    detail: {
      'zh-TW': '這組簡訊驗證碼已失效（{reason}）。驗證碼只能使用一次且 5 分鐘內有效，請重新取得驗證碼。',
      en: 'This one-time code is no longer valid ({reason}). A code works once and for 5 minutes; ask for a new one.',
    },
  },
  'identity.otp-exhausted': {
    status: 429,
    title: { 'zh-TW': '驗證碼輸入錯誤次數過多', en: 'Too many wrong codes' },
    detail: {
      'zh-TW': '這組簡訊驗證碼已輸入錯誤 {maxTries} 次，不能再使用。請重新取得驗證碼。',
      en: 'This one-time code was entered wrongly {maxTries} times and no longer works. Ask for a new code.',
    },
  },
  'identity.otp-resend-limited': {
    status: 429,
    title: { 'zh-TW': '驗證碼發送過於頻繁', en: 'Codes sent too often' },
    detail: {
      'zh-TW': '簡訊驗證碼每分鐘最多發送 1 次、每小時最多 5 次。請約 {retryAfterSeconds} 秒後再申請。',
      en: 'One-time codes are sent at most once a minute and five times an hour. Ask again in about {retryAfterSeconds} s.',
    },
  },
  'identity.oidc-unavailable': {
    status: 503,
    title: { 'zh-TW': '外部身分提供者無法連線', en: 'Identity provider unreachable' },
    detail: {
      'zh-TW':
        '平臺目前無法連線到身分提供者「{provider}」（{issuer}）：{reason}。請稍後再試，或改用其他驗證方式。',
      en: 'The platform cannot reach the identity provider "{provider}" ({issuer}): {reason}. Try again later, or use another method.',
    },
  },
  'identity.oidc-rejected': {
    status: 401,
    title: { 'zh-TW': '外部身分提供者的登入未被接受', en: 'Identity provider sign-in not accepted' },
    detail: {
      'zh-TW': '經由「{provider}」的登入未被平臺接受：{reason}。請重新開始登入，或改用其他驗證方式。',
      en: 'The sign-in through "{provider}" was not accepted by the platform: {reason}. Start signing in again, or use another method.',
    },
  },
  'consent.invalid-authorization-details': {
    status: 400,
    title: { 'zh-TW': '授權請求內容不正確', en: 'Invalid authorization details' },
    detail: {
      'zh-TW': '服務送來的授權請求（authorization_details）不正確：{reason}。請回到該服務重新申請。',
      en: 'The authorization request (authorization_details) sent by the service is not valid: {reason}. Go back to the service and start again.',
    },
  },
  'consent.dataset-not-approved': {
    status: 400,
    title: { 'zh-TW': '服務未獲准使用此資料', en: 'Dataset not approved for the service' },
    detail: {
      'zh-TW': '服務「{serviceId}」未獲准取得「{datasetId}」資料，平臺不接受這個請求。',
      en: 'The service {serviceId} is not approved for the dataset {datasetId}, so the platform refused the request.',
    },
  },
  'consent.purpose-not-approved': {
    status: 400,
    title: { 'zh-TW': '使用目的與核准的不同', en: 'Purpose not approved' },
    detail: {
      'zh-TW':
        '服務「{serviceId}」申請的使用目的「{purpose}」與核准的目的「{approved}」不同，平臺不接受這個請求。',
      en: 'The service {serviceId} asked for the purpose {purpose}, but its approved purpose is {approved}; the platform refused the request.',
    },
  },
  'consent.mode-not-supported': {
    status: 400,
    title: { 'zh-TW': '不支援此傳輸方式', en: 'Transfer mode not supported' },
    detail: {
      'zh-TW':
        '服務「{serviceId}」要求的傳輸方式「{mode}」與核准的方式「{approved}」不同，或不適用線上傳輸。',
      en: 'The service {serviceId} asked for the transfer mode {mode}, which differs from its approved mode {approved} or is not an online transfer.',
    },
  },
  'consent.required-dataset-missing': {
    status: 400,
    title: { 'zh-TW': '缺少必要的資料', en: 'Required dataset missing' },
    detail: {
      'zh-TW': '「{datasetId}」是這項服務必要的資料，不能取消勾選。若不願提供，請選擇不同意。',
      en: 'The dataset {datasetId} is required by this service and cannot be left out. If you do not want to share it, decline instead.',
    },
  },
  'consent.dataset-not-requested': {
    status: 400,
    title: { 'zh-TW': '選擇了未被請求的資料', en: 'Dataset not requested' },
    detail: {
      'zh-TW': '您選擇的「{datasetId}」不在這次服務請求的資料中。請只從列出的資料中選擇。',
      en: 'The dataset {datasetId} you chose is not part of what the service asked for. Choose only among the listed datasets.',
    },
  },
  'consent.interaction-not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此授權流程', en: 'Authorization not found' },
    detail: {
      'zh-TW': '這次授權流程不存在或已逾時。請回到原本的服務重新開始申請。',
      en: 'This authorization does not exist or has expired. Go back to the service and start again.',
    },
  },
  'consent.not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此同意紀錄', en: 'Consent not found' },
    detail: {
      'zh-TW': '您的帳號沒有代碼為「{id}」的同意紀錄。您的同意紀錄請見 /api/v1/consents。',
      en: 'Your account has no consent with id "{id}". Your consents are listed at /api/v1/consents.',
    },
  },
  'consent.not-withdrawable': {
    status: 409,
    title: { 'zh-TW': '此同意已結束', en: 'Consent already ended' },
    detail: {
      'zh-TW': '同意紀錄「{id}」的狀態是「{status}」，已經結束，不能再撤回或重試。',
      en: 'The consent {id} is {status}, which is final; it can no longer be withdrawn or retried.',
    },
  },
  'consent.service-suspended': {
    status: 403,
    title: { 'zh-TW': '此服務已暫停', en: 'Service suspended' },
    detail: {
      'zh-TW': '服務「{serviceId}」目前已被暫停使用平臺，無法取得您的資料。',
      en: 'The service {serviceId} is currently suspended from the platform and cannot receive your data.',
    },
  },
  'transfer.invalid-token': {
    status: 401,
    title: { 'zh-TW': '存取權杖無效', en: 'Invalid access token' },
    detail: {
      'zh-TW': '取得資料包需要有效、未過期且綁定 DPoP 金鑰的存取權杖。請重新取得授權。',
      en: 'Fetching the data package needs a valid, unexpired, DPoP-bound access token. Obtain a new authorization.',
    },
  },
  'transfer.invalid-dpop-proof': {
    status: 401,
    title: { 'zh-TW': 'DPoP 證明無效', en: 'Invalid DPoP proof' },
    detail: {
      'zh-TW': '請求的 DPoP 證明不被接受：{reason}。請以權杖綁定的金鑰為這次請求產生新的證明。',
      en: 'The DPoP proof of the request was not accepted: {reason}. Make a fresh proof for this request with the key the token is bound to.',
    },
  },
  'transfer.package-gone': {
    status: 410,
    title: { 'zh-TW': '資料包已不存在', en: 'Data package gone' },
    detail: {
      'zh-TW': '這份資料包已無法取得（同意狀態：{status}）。資料包只能取得一次，撤回或逾時後即刪除。',
      en: 'This data package can no longer be fetched (consent status: {status}). A package can be fetched once and is deleted on withdrawal or expiry.',
    },
  },
  'transfer.package-not-ready': {
    status: 425,
    title: { 'zh-TW': '資料包尚未備妥', en: 'Data package not ready' },
    detail: {
      'zh-TW':
        '平臺仍在向資料提供機關取得資料、上次取得失敗待民眾重試，或仍在等待其他申請人同意。請稍後再試。',
      en: 'The platform is still collecting the data from the agencies, the collection failed and awaits the citizen’s retry, or other parties have yet to consent. Try again later.',
    },
  },
  'download.not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此下載', en: 'Download not found' },
    detail: {
      'zh-TW': '您的帳號沒有代碼為「{id}」的資料下載。請回到資料下載頁重新選擇資料。',
      en: 'Your account has no data download with id "{id}". Go back to the data download page and choose the data again.',
    },
  },
  'download.gone': {
    status: 410,
    title: { 'zh-TW': '下載檔案已不存在', en: 'Download gone' },
    detail: {
      'zh-TW':
        '這份下載檔案已下載過，或已逾時刪除。檔案只能下載一次，並於備妥後 10 分鐘內刪除；請重新申請下載。',
      en: 'This download was already fetched, or has expired and was deleted. A file can be downloaded once and is deleted within 10 minutes of being ready; ask for a new download.',
    },
  },
  'oauth-client.invalid-registration': {
    status: 400,
    title: { 'zh-TW': '服務用戶端登記不正確', en: 'Invalid client registration' },
    detail: {
      'zh-TW': '服務用戶端登記被拒絕：{reason}。',
      en: 'The service client registration was refused: {reason}.',
    },
  },
  'statistics.invalid-month': {
    status: 400,
    title: { 'zh-TW': '月份格式不正確', en: 'Invalid month' },
    detail: {
      'zh-TW': '參數 {param} 的值「{value}」不是有效的月份。請以 YYYY-MM 表示，例如 2026-01。',
      en: 'The value "{value}" of {param} is not a valid month. Write it as YYYY-MM, for example 2026-01.',
    },
  },
  'statistics.range-reversed': {
    status: 400,
    title: { 'zh-TW': '起始月份晚於結束月份', en: 'Start month after end month' },
    detail: {
      'zh-TW': '起始月份 {from} 晚於結束月份 {to}。請對調兩者或修正其中之一。',
      en: 'The start month {from} is after the end month {to}. Swap them or correct one of them.',
    },
  },
  'statistics.range-too-long': {
    status: 400,
    title: { 'zh-TW': '查詢期間過長', en: 'Period too long' },
    detail: {
      'zh-TW': '查詢期間為 {months} 個月，上限為 {max} 個月。請分段查詢。',
      en: 'The period spans {months} months; at most {max} months can be asked for at once. Ask for it in parts.',
    },
  },
  'developers.page-not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此開發者文件', en: 'Developer guide page not found' },
    detail: {
      'zh-TW': '開發者指南中沒有名為「{page}」的文件。請由 /developers 的目錄選擇。',
      en: 'The developer guide has no page named "{page}". Choose one from the index at /developers.',
    },
  },
  'onboarding.forbidden': {
    status: 403,
    title: { 'zh-TW': '沒有此機關的權限', en: 'Not allowed for this organisation' },
    detail: {
      'zh-TW': '此操作需要您在「{organisationId}」擔任「{role}」角色。請洽該機關的管理者為您加入。',
      en: 'This needs the role "{role}" in {organisationId}. Ask an administrator of the organisation to add you.',
    },
  },
  'onboarding.organisation-not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此機關', en: 'Organisation not found' },
    detail: {
      'zh-TW': '平臺上沒有代號為「{organisationId}」的機關。請確認代號是否正確。',
      en: 'There is no organisation with the id "{organisationId}" on the platform. Check the id.',
    },
  },
  'onboarding.organisation-id-unavailable': {
    status: 409,
    title: { 'zh-TW': '機關代號無法使用', en: 'Organisation id not available' },
    detail: {
      'zh-TW': '機關代號「{organisationId}」無法使用：{reason}。請改用其他代號。',
      en: 'The organisation id "{organisationId}" cannot be used: {reason}. Choose another id.',
    },
  },
  'onboarding.application-not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此申請案', en: 'Application not found' },
    detail: {
      'zh-TW': '找不到申請案「{applicationId}」，或您沒有檢視它的權限。',
      en: 'The application "{applicationId}" does not exist or you may not see it.',
    },
  },
  'onboarding.invalid-application': {
    status: 422,
    title: { 'zh-TW': '申請內容不完整', en: 'Application incomplete' },
    detail: {
      'zh-TW': '申請內容有問題（{pointer}）：{reason}。請修正後再送出。',
      en: 'The application has a problem at {pointer}: {reason}. Correct it and submit again.',
    },
  },
  'onboarding.dataset-not-found': {
    status: 422,
    title: { 'zh-TW': '申請的資料集不存在', en: 'Requested dataset does not exist' },
    detail: {
      'zh-TW': '申請中的資料集「{datasetId}」（{pointer}）不在平臺目錄中。請從目錄選擇既有的資料集。',
      en: 'The dataset "{datasetId}" requested at {pointer} is not in the catalogue. Choose a dataset the catalogue lists.',
    },
  },
  'onboarding.justification-missing': {
    status: 422,
    title: { 'zh-TW': '缺少必要性說明', en: 'Justification missing' },
    detail: {
      'zh-TW': '{pointer} 沒有填寫說明（{what}）。請以中英文說明為何需要。',
      en: 'There is no justification at {pointer} ({what}). Explain in Chinese and English why it is needed.',
    },
  },
  'onboarding.redirect-not-https': {
    status: 422,
    title: { 'zh-TW': '轉址網址必須使用 https', en: 'Redirect URI must use https' },
    detail: {
      'zh-TW':
        '轉址網址「{uri}」未使用 https。正式環境只接受 https（本機開發可用 http://localhost）；http 僅限沙盒。',
      en: 'The redirect URI "{uri}" does not use https. Production accepts https only (http://localhost for local development); http is for the sandbox only.',
    },
  },
  'onboarding.jwks-unreachable': {
    status: 422,
    title: { 'zh-TW': '無法取得金鑰集', en: 'Key set unreachable' },
    detail: {
      'zh-TW': '無法從「{url}」取得 JWKS 金鑰集：{reason}。請確認網址可公開存取後再試。',
      en: 'The JWKS at "{url}" could not be fetched: {reason}. Make sure the address is publicly reachable and try again.',
    },
  },
  'onboarding.jwks-invalid': {
    status: 422,
    title: { 'zh-TW': '金鑰集格式不正確', en: 'Key set malformed' },
    detail: {
      'zh-TW':
        '金鑰集（JWKS）不符合要求：{reason}。需要至少一把 P-256 簽章金鑰（use "sig"）與一把加密金鑰（use "enc"），且不得含私鑰。',
      en: 'The key set (JWKS) does not meet the requirements: {reason}. It needs at least one P-256 "sig" key and one "enc" key, and no private members.',
    },
  },
  'onboarding.not-resubmittable': {
    status: 409,
    title: { 'zh-TW': '申請案目前不能修改', en: 'Application cannot be changed now' },
    detail: {
      'zh-TW': '申請案「{applicationId}」的狀態是「{status}」；只有「需要修正」的申請案可以重新送出。',
      en: 'The application "{applicationId}" is "{status}"; only an application with changes requested can be resubmitted.',
    },
  },
  'onboarding.subject-taken': {
    status: 409,
    title: { 'zh-TW': '代號已被使用', en: 'Id already in use' },
    detail: {
      'zh-TW':
        '「{id}」已屬於其他機關，或不在貴機關的命名範圍內（需以「{organisationId}.」開頭）。請改用其他代號。',
      en: '"{id}" belongs to another organisation or is outside your namespace (it must start with "{organisationId}."). Choose another id.',
    },
  },
  'onboarding.last-admin': {
    status: 409,
    title: { 'zh-TW': '不能移除最後一位管理者', en: 'Cannot remove the last administrator' },
    detail: {
      'zh-TW': '「{organisationId}」至少要有一位管理者。請先加入另一位管理者再移除。',
      en: '{organisationId} needs at least one administrator. Add another administrator first.',
    },
  },
  'onboarding.staff-not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此人員', en: 'Staff member not found' },
    detail: {
      'zh-TW': '「{organisationId}」沒有此人員擔任「{role}」。',
      en: '{organisationId} has no such person in the role "{role}".',
    },
  },
  'onboarding.client-not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此用戶端', en: 'Client not found' },
    detail: {
      'zh-TW': '「{organisationId}」沒有用戶端「{clientId}」，或它沒有登記 JWKS 網址可供更新。',
      en: '{organisationId} has no client "{clientId}", or it has no JWKS URL to refresh from.',
    },
  },
  'onboarding.sandbox-persona-only': {
    status: 403,
    title: { 'zh-TW': '沙盒服務僅限測試身分', en: 'Sandbox service: test personas only' },
    detail: {
      'zh-TW':
        '「{serviceId}」是尚未上線的沙盒服務，只有平臺公布的測試身分可以同意提供資料。您的真實資料不會送出。',
      en: '{serviceId} is a sandbox service that is not live yet; only the published test personas may consent. None of your real data is sent.',
    },
  },
  'operator.forbidden': {
    status: 403,
    title: { 'zh-TW': '僅限平臺營運審查人員', en: 'Platform operators only' },
    detail: {
      'zh-TW': '此操作需要平臺營運單位的「{role}」角色。',
      en: 'This needs the role "{role}" of the platform operator.',
    },
  },
  'operator.reason-required': {
    status: 400,
    title: { 'zh-TW': '請填寫理由', en: 'Reason required' },
    detail: {
      'zh-TW': '「{decision}」必須附上理由，申請者才知道如何處理。',
      en: '"{decision}" needs a reason so the applicant knows what to do.',
    },
  },
  'operator.already-decided': {
    status: 409,
    title: { 'zh-TW': '申請案已處理', en: 'Application already decided' },
    detail: {
      'zh-TW': '申請案「{applicationId}」的狀態是「{status}」，目前不能再做審查決定。',
      en: 'The application "{applicationId}" is "{status}" and cannot be decided now.',
    },
  },
  'operator.suspension-state': {
    status: 409,
    title: { 'zh-TW': '停權狀態不符', en: 'Suspension state does not allow this' },
    detail: {
      'zh-TW': '「{organisationId}」{state}，無法執行此操作。',
      en: '{organisationId}: {state}; this cannot be done now.',
    },
  },
  'exchange.agency-suspended': {
    status: 503,
    title: { 'zh-TW': '資料提供機關已暫停', en: 'Data provider suspended' },
    detail: {
      'zh-TW': '資料提供機關「{agency}」（{agencyId}）目前已被平臺暫停，暫時無法取得其資料。',
      en: 'The data provider {agency} ({agencyId}) is currently suspended from the platform, so its data cannot be fetched.',
    },
  },
  'application.parties-required': {
    status: 400,
    title: { 'zh-TW': '請填寫其他申請人', en: 'Other parties needed' },
    detail: {
      'zh-TW': '此服務需要其他人一起同意。請為「{role}」填寫身分證號與聯絡方式（電子郵件或手機）。',
      en: 'This service needs other people to consent too. Give the national ID and a contact (e-mail or mobile) of the {role}.',
    },
  },
  'application.party-invalid': {
    status: 400,
    title: { 'zh-TW': '共同申請人資料不正確', en: 'Party details not valid' },
    detail: {
      'zh-TW': '「{role}」的資料不正確：{reason}。',
      en: 'The details of the {role} are not valid: {reason}.',
    },
  },
  'application.not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此邀請', en: 'Invitation not found' },
    detail: {
      'zh-TW': '找不到邀請「{id}」，或它不是寄給目前登入的您。請確認以收到邀請的本人身分登入。',
      en: 'There is no invitation "{id}", or it was not sent to the person signed in. Sign in as the person who was invited.',
    },
  },
  'application.not-open': {
    status: 409,
    title: { 'zh-TW': '邀請已結束', en: 'Invitation no longer open' },
    detail: {
      'zh-TW': '此邀請目前的狀態是「{status}」，不能再同意或拒絕。',
      en: 'This invitation is "{status}" and can no longer be consented to or declined.',
    },
  },
  'application.rate-limited': {
    status: 429,
    title: { 'zh-TW': '嘗試次數過多', en: 'Too many attempts' },
    detail: {
      'zh-TW': '查詢邀請的次數過多，請於 {retryAfter} 秒後再試。',
      en: 'Too many invitation look-ups. Try again in {retryAfter} seconds.',
    },
  },
  'counter.service-not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此臨櫃服務', en: 'Counter service not found' },
    detail: {
      'zh-TW': '目錄中沒有代碼為「{serviceId}」的臨櫃服務。請由臨櫃核驗頁重新選擇服務。',
      en: 'The catalogue has no counter service with id "{serviceId}". Choose the service again on the counter page.',
    },
  },
  'counter.case-not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此臨櫃核驗', en: 'Counter case not found' },
    detail: {
      'zh-TW': '您的帳號沒有代碼為「{caseId}」的臨櫃核驗。請回到臨櫃核驗頁重新同意。',
      en: 'Your account has no counter case with id "{caseId}". Go back to the counter page and consent again.',
    },
  },
  'counter.case-closed': {
    status: 410,
    title: { 'zh-TW': '此臨櫃核驗已結束', en: 'Counter case closed' },
    detail: {
      'zh-TW': '這次臨櫃核驗已{status}，無法再產生條碼。如仍需核驗，請重新同意。',
      en: 'This counter case is {status}; no new code can be made for it. Consent again if you still need a check.',
    },
  },
  'counter.code-expired': {
    status: 410,
    title: { 'zh-TW': '條碼已過期', en: 'Code expired' },
    detail: {
      'zh-TW':
        '這個條碼或短碼已過期（每組只在 {seconds} 秒內有效，新的一組出現後舊的即失效）。請民眾出示畫面上最新的條碼。',
      en: 'This QR or short code has expired (each is valid for {seconds} seconds, and a new one replaces the old). Ask the citizen for the code now on their screen.',
    },
  },
  'counter.code-used': {
    status: 409,
    title: { 'zh-TW': '條碼已使用過', en: 'Code already used' },
    detail: {
      'zh-TW': '這次臨櫃核驗已於 {redeemedAt} 核驗過，每次同意只能核驗一次。如需再次核驗，請民眾重新同意。',
      en: 'This counter case was already verified at {redeemedAt}; each consent can be verified once. Ask the citizen to consent again if another check is needed.',
    },
  },
  'counter.code-forged': {
    status: 400,
    title: { 'zh-TW': '條碼無效', en: 'Code not valid' },
    detail: {
      'zh-TW': '這不是平臺發出的有效條碼（{reason}）。請民眾由 MyData 臨櫃核驗頁出示條碼。',
      en: 'This is not a valid code issued by the platform ({reason}). Ask the citizen to show the code from the MyData counter page.',
    },
  },
  'counter.code-unknown': {
    status: 404,
    title: { 'zh-TW': '查無此短碼', en: 'No such short code' },
    detail: {
      'zh-TW':
        '短碼「{code}」不存在或輸入有誤。請核對民眾畫面上的 8 碼短碼後重新輸入（10 分鐘內最多錯 {max} 次）。',
      en: 'The short code "{code}" does not exist or was mistyped. Check the 8-character code on the citizen\'s screen and type it again (at most {max} mistakes in 10 minutes).',
    },
  },
  'counter.rate-limited': {
    status: 429,
    title: { 'zh-TW': '輸入錯誤次數過多', en: 'Too many wrong codes' },
    detail: {
      'zh-TW': '您輸入錯誤的短碼次數過多，請於 {until} 後再試，或改用相機掃描條碼。',
      en: 'Too many wrong short codes were typed. Try again after {until}, or scan the QR code with the camera.',
    },
  },
  'counter.not-a-clerk': {
    status: 403,
    title: { 'zh-TW': '您不是臨櫃人員', en: 'Not a counter clerk' },
    detail: {
      'zh-TW': '只有機關或業者登記的臨櫃人員（counter-clerk）可以核驗民眾資料。請洽貴單位的管理者將您加入。',
      en: "Only counter clerks (role counter-clerk) registered by an organisation can verify citizens' data. Ask your organisation's administrator to add you.",
    },
  },
  'counter.other-organisation': {
    status: 403,
    title: { 'zh-TW': '非本單位的服務', en: 'Service of another organisation' },
    detail: {
      'zh-TW': '您不是「{provider}」的臨櫃人員，不能核驗該單位服務的條碼。請選擇您所屬單位的服務。',
      en: 'You are not a counter clerk of {provider}, so you cannot verify codes for its services. Choose a service of your own organisation.',
    },
  },
  'counter.wrong-service': {
    status: 403,
    title: { 'zh-TW': '不是這項服務的條碼', en: 'Code of another service' },
    detail: {
      'zh-TW':
        '此條碼是民眾同意給「{service}」使用的，不是您目前選擇的「{selected}」。請切換服務或請民眾重新選擇服務。',
      en: 'The citizen consented to "{service}", not to "{selected}", the service you selected. Switch the service, or ask the citizen to choose the right one.',
    },
  },
  'counter.provider-suspended': {
    status: 403,
    title: { 'zh-TW': '此單位已暫停使用平臺', en: 'Organisation suspended' },
    detail: {
      'zh-TW': '「{provider}」目前已被平臺暫停，暫時不能申請或核驗臨櫃服務的資料。',
      en: '{provider} is currently suspended from the platform; its counter services cannot be used or verified for now.',
    },
  },
  'onboarding.test-persona-only': {
    status: 403,
    title: { 'zh-TW': '連線測試僅限測試身分', en: 'Connection tests: test personas only' },
    detail: {
      'zh-TW':
        '連線測試只能查詢平臺公布的測試身分（GET /api/v1/sandbox/personas），不會向尚未審核的機關查詢真實民眾的資料。',
      en: 'A connection test may ask only for a published test persona (GET /api/v1/sandbox/personas); no real citizen is ever asked of an agency that has not been reviewed.',
    },
  },
  'onboarding.test-call-unavailable': {
    status: 409,
    title: { 'zh-TW': '此申請無法進行連線測試', en: 'No connection test for this application' },
    detail: {
      'zh-TW': '申請「{applicationId}」無法進行連線測試：{reason}。',
      en: 'Application {applicationId} cannot be tested: {reason}.',
    },
  },
  'onboarding.test-call-rate-limited': {
    status: 429,
    title: { 'zh-TW': '連線測試次數過多', en: 'Too many connection tests' },
    detail: {
      'zh-TW':
        '「{organisationId}」短時間內的連線測試已達上限（每 {windowMinutes} 分鐘 {max} 次），請約 {retryAfterSeconds} 秒後再試。',
      en: '{organisationId} has reached the limit of connection tests ({max} per {windowMinutes} minutes); try again in about {retryAfterSeconds} s.',
    },
  },
  'server.not-ready': {
    status: 503,
    title: { 'zh-TW': '服務暫時無法使用', en: 'Service temporarily unavailable' },
    detail: {
      'zh-TW': '平臺正在啟動或關閉（{reason}），請稍後再試。',
      en: 'The platform is starting or shutting down ({reason}). Try again shortly.',
    },
  },
  'server.internal': {
    status: 500,
    title: { 'zh-TW': '系統發生錯誤', en: 'Internal error' },
    detail: {
      'zh-TW':
        '平臺處理請求時發生非預期的錯誤，我們已記錄。請稍後再試；若持續發生，請提供請求編號 {requestId} 給客服。',
      en: 'The platform met an unexpected error and has logged it. Try again later; if it persists, give the request id {requestId} to support.',
    },
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** One field-level problem inside an error, located by a JSON Pointer (RFC 6901). */
export interface FieldIssue {
  pointer: string;
  message: string;
}

/** A domain error with a stable code; the HTTP edge turns it into problem+json. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly params: Record<string, string | number>;
  readonly issues: FieldIssue[] | undefined;

  constructor(code: ErrorCode, params: Record<string, string | number> = {}, issues?: FieldIssue[]) {
    super(formatErrorDetail(code, params, 'en'));
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.params = params;
    this.issues = issues;
  }
}

/** The person-readable detail of an error in one language, with its params filled in. */
export function formatErrorDetail(
  code: ErrorCode,
  params: Record<string, string | number>,
  lang: Language,
): string {
  // A param may carry its own wording per language as `name@lang` (an agency's English name, say).
  return ERROR_CATALOGUE[code].detail[lang].replace(/\{(\w+)\}/g, (_, k: string) => {
    const value = params[`${k}@${lang}`] ?? params[k];
    return value === undefined ? `{${k}}` : String(value);
  });
}
