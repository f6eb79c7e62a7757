import type { ErrorCode, Language } from '@mydata/core';

interface ErrorText {
  /** What happened, in a person's words. */
  title: string;
  /** What the person can do about it. */
  action: string;
}

const LATER = { 'zh-TW': '請稍後再試一次。', en: 'Please try again later.' } as const;
const AGENCY_LATER = {
  'zh-TW': '這是提供資料的機關那一端的問題，不是您的操作有誤。請稍後再試一次。',
  en: 'This is a problem at the agency that provides the data, not something you did wrong. Please try again later.',
} as const;
const REPORTED = {
  'zh-TW': '平臺已記錄這個問題並通知維運人員，您不需要另外回報。請稍後再試。',
  en: 'The platform has recorded this and told its operators; you do not need to report it. Please try again later.',
} as const;
const BAD_LINK = {
  'zh-TW': '網址或操作可能有誤。請回到上一頁重新操作，或由首頁重新開始。',
  en: 'The address or the action may be wrong. Go back and try again, or start again from the home page.',
} as const;

/**
 * Every error code of the platform, told to a citizen: what happened and what to do. Typed by
 * `ErrorCode`, so a code added to the core catalogue fails the type check until it is translated here.
 */
export const ERROR_TEXTS: Record<Language, Record<ErrorCode, ErrorText>> = {
  'zh-TW': {
    'request.invalid': { title: '送出的內容不正確', action: BAD_LINK['zh-TW'] },
    'request.malformed-json': { title: '送出的內容無法解讀', action: BAD_LINK['zh-TW'] },
    'request.body-too-large': { title: '送出的內容太大', action: '請減少內容後再送出一次。' },
    'request.unsupported-media-type': { title: '送出的內容格式不支援', action: BAD_LINK['zh-TW'] },
    'request.not-found': { title: '找不到這個網址', action: BAD_LINK['zh-TW'] },
    'catalogue.organisation-not-found': {
      title: '找不到這個機關或業者',
      action: '它可能已不再參與平臺。請由資料目錄或服務列表重新查詢。',
    },
    'catalogue.dataset-not-found': {
      title: '找不到這項資料',
      action: '這項資料可能已從目錄移除，或網址有誤。請回到資料目錄重新查詢。',
    },
    'catalogue.service-not-found': {
      title: '找不到這項服務',
      action: '這項服務可能已停止，或網址有誤。請回到服務列表重新查詢。',
    },
    'catalogue.invalid': { title: '目錄內容不一致，未被接受', action: '請修正目錄中列出的問題後再送出。' },
    'exchange.agency-not-registered': {
      title: '提供資料的機關尚未與平臺連線',
      action: '目前無法取得這個機關的資料。請稍後再試，或直接洽詢該機關。',
    },
    'exchange.agency-unreachable': { title: '目前無法連線到提供資料的機關', action: AGENCY_LATER['zh-TW'] },
    'exchange.timeout': { title: '提供資料的機關回應太慢', action: AGENCY_LATER['zh-TW'] },
    'exchange.tls-failure': {
      title: '無法與提供資料的機關建立安全連線',
      action: `為了安全，沒有傳送任何資料。${REPORTED['zh-TW']}`,
    },
    'exchange.bad-signature': {
      title: '機關回傳的資料無法驗證真偽',
      action: `為了保護您，平臺沒有採用這份資料。${REPORTED['zh-TW']}`,
    },
    'exchange.wrong-request': {
      title: '機關回傳的資料與這次申請不符',
      action: `為了保護您，平臺沒有採用這份資料。${REPORTED['zh-TW']}`,
    },
    'exchange.stale-response': {
      title: '機關回傳的資料已過時',
      action: `為了保護您，平臺沒有採用這份資料。${LATER['zh-TW']}`,
    },
    'exchange.invalid-response': {
      title: '機關回傳的資料無法解讀',
      action: `平臺沒有採用這份資料。${REPORTED['zh-TW']}`,
    },
    'exchange.schema-violation': {
      title: '機關回傳的資料格式不正確',
      action: `平臺沒有採用這份資料。${REPORTED['zh-TW']}`,
    },
    'exchange.no-such-person': {
      title: '提供資料的機關查無您的資料',
      action: '這個機關沒有您的這項資料。若您認為應該有，請直接洽詢該機關。',
    },
    'exchange.not-permitted': {
      title: '提供資料的機關不提供這項資料給這次申請',
      action: '請直接洽詢該機關了解原因。',
    },
    'exchange.request-refused': { title: '提供資料的機關拒絕了平臺的請求', action: REPORTED['zh-TW'] },
    'exchange.agency-error': { title: '提供資料的機關系統發生錯誤', action: AGENCY_LATER['zh-TW'] },
    'exchange.circuit-open': {
      title: '提供資料的機關暫時無法使用',
      action: '這個機關近期連續發生問題，平臺暫停向它請求。請過幾分鐘再試。',
    },
    'exchange.failed': {
      title: '部分機關無法提供資料',
      action: '為了避免您拿到不完整的資料，這次沒有交付任何資料。請稍後再試一次。',
    },
    'log.checkpoint-not-found': { title: '找不到這個使用紀錄檢查點', action: LATER['zh-TW'] },
    'log.entry-not-found': { title: '找不到這筆使用紀錄', action: BAD_LINK['zh-TW'] },
    'log.range-invalid': { title: '無法驗證這個範圍的使用紀錄', action: BAD_LINK['zh-TW'] },
    'identity.not-signed-in': { title: '您尚未登入', action: '這項功能需要先登入。請登入後再試一次。' },
    'identity.csrf-rejected': {
      title: '為保護您的帳號，這個操作未被接受',
      action: '請重新整理頁面後再操作一次。',
    },
    'identity.method-unavailable': {
      title: '平臺目前不提供這種驗證方式',
      action: '請改用其他驗證方式登入。',
    },
    'identity.challenge-invalid': {
      title: '這次驗證已失效',
      action: '每次驗證只能使用一次，且數分鐘內有效。請重新開始驗證。',
    },
    'identity.certificate-rejected': {
      title: '您的憑證沒有通過檢查',
      action: '請確認使用的是本人有效的憑證卡，或改用其他驗證方式。',
    },
    'identity.verification-failed': {
      title: '身分驗證沒有通過',
      action: '您輸入的資料與機關紀錄不符。請核對後再試；連續失敗多次會暫時鎖定。',
    },
    'identity.locked-out': {
      title: '這種驗證方式已暫時鎖定',
      action: '因為連續驗證失敗，請稍後再試，或改用自然人憑證或健保卡登入，成功後即解除鎖定。',
    },
    'identity.rate-limited': { title: '短時間內嘗試太多次', action: '請等候約一分鐘後再試。' },
    'identity.flow-expired': { title: '這次登入已逾時', action: '請重新開始登入。' },
    'identity.second-method-must-differ': {
      title: '請改用另一種驗證方式',
      action: '第一次使用需要以兩種不同方式驗證身分，請選擇另一種方式。',
    },
    'identity.different-person': {
      title: '兩次驗證的不是同一個人',
      action: '為保護您，平臺已中止這次登入。請重新開始，並使用本人的證件驗證。',
    },
    'identity.step-up-required': {
      title: '需要更高強度的身分驗證',
      action: '請以畫面列出的方式再驗證一次，您的登入狀態會保留。',
    },
    'identity.passkey-rejected': {
      title: '行動自然人憑證驗證失敗',
      action: '請再試一次，或改用自然人憑證、健保卡等其他方式。',
    },
    'identity.passkey-not-found': {
      title: '找不到此通行金鑰',
      action: '請重新整理頁面，確認您已登記的通行金鑰。',
    },
    'identity.otp-incorrect': {
      title: '簡訊驗證碼不正確',
      action: '請核對手機收到的簡訊後再輸入；同一組驗證碼最多可試 5 次。',
    },
    'identity.otp-expired': {
      title: '簡訊驗證碼已失效',
      action: '驗證碼只能使用一次且 5 分鐘內有效。請重新取得驗證碼。',
    },
    'identity.otp-exhausted': {
      title: '驗證碼輸入錯誤次數過多',
      action: '這組驗證碼已不能使用。請重新取得驗證碼。',
    },
    'identity.otp-resend-limited': {
      title: '驗證碼發送過於頻繁',
      action: '驗證碼每分鐘最多發送 1 次、每小時最多 5 次。請稍候再申請。',
    },
    'identity.oidc-unavailable': {
      title: '外部身分提供者暫時無法使用',
      action: '平臺連不上這個身分提供者，不是您的操作有誤。請稍後再試，或改用其他驗證方式。',
    },
    'identity.oidc-rejected': {
      title: '外部身分提供者的登入未被接受',
      action:
        '這次登入可能已逾時、已使用過，或身分提供者未提供身分證字號。請重新開始登入，或改用其他驗證方式。',
    },
    'consent.invalid-authorization-details': {
      title: '服務送來的授權請求不正確',
      action: '這是該服務那一端的問題，不是您的操作有誤。請回到該服務重新申請，或洽詢該服務。',
    },
    'consent.dataset-not-approved': {
      title: '服務要求了未獲准的資料',
      action: '平臺沒有提供任何資料。請回到該服務重新申請，或洽詢該服務。',
    },
    'consent.purpose-not-approved': {
      title: '服務的使用目的與核准的不同',
      action: '平臺沒有提供任何資料。請回到該服務重新申請，或洽詢該服務。',
    },
    'consent.mode-not-supported': {
      title: '服務要求的傳輸方式不支援',
      action: '平臺沒有提供任何資料。請回到該服務重新申請，或洽詢該服務。',
    },
    'consent.required-dataset-missing': {
      title: '缺少這項服務必要的資料',
      action: '必要的資料不能取消勾選。若不願提供，請選擇「不同意」。',
    },
    'consent.dataset-not-requested': {
      title: '選擇了服務沒有要求的資料',
      action: '請只從頁面列出的資料中選擇，重新整理頁面後再試一次。',
    },
    'consent.interaction-not-found': {
      title: '這次授權已逾時或不存在',
      action: '請回到原本的服務，重新開始申請。',
    },
    'consent.not-found': {
      title: '找不到這筆同意紀錄',
      action: '它可能不屬於您的帳號，或網址有誤。請由「我的同意紀錄」重新查詢。',
    },
    'consent.not-withdrawable': {
      title: '這筆同意已經結束',
      action: '已使用、已逾時或已撤回的同意不能再撤回或重試。請重新整理頁面查看目前狀態。',
    },
    'consent.service-suspended': {
      title: '這項服務已暫停',
      action: '平臺沒有提供任何資料。請洽詢該服務，或稍後再試。',
    },
    'transfer.invalid-token': { title: '存取權杖無效', action: '服務須重新取得您的授權。' },
    'transfer.invalid-dpop-proof': { title: '存取證明無效', action: '服務須以正確的金鑰重新送出請求。' },
    'transfer.package-gone': {
      title: '資料包已不存在',
      action: '資料包只能取得一次，撤回或逾時後即刪除。請回到服務重新申請。',
    },
    'transfer.package-not-ready': { title: '資料尚未備妥', action: LATER['zh-TW'] },
    'download.not-found': {
      title: '找不到這份下載',
      action: '請回到資料下載頁，重新選擇資料後再下載。',
    },
    'download.gone': {
      title: '這份下載檔案已不存在',
      action: '檔案只能下載一次，並會在短時間後刪除。請重新選擇資料後再下載。',
    },
    'oauth-client.invalid-registration': {
      title: '服務登記資料不正確',
      action: '請依錯誤說明修正服務的登記資料後再送出。',
    },
    'application.parties-required': {
      title: '請填寫其他申請人',
      action: '請為每位需要一起同意的人填寫身分證號與電子郵件或手機號碼。',
    },
    'application.party-invalid': {
      title: '共同申請人資料不正確',
      action: '請檢查身分證號與聯絡方式後再送出。',
    },
    'application.not-found': {
      title: '找不到此邀請',
      action: '請確認您以收到邀請的本人身分登入，並使用通知中的連結。',
    },
    'application.not-open': {
      title: '此邀請已結束',
      action: '此申請已完成、被拒絕或已逾期，不需要再做任何事。',
    },
    'application.rate-limited': { title: '嘗試次數過多', action: LATER['zh-TW'] },
    'statistics.invalid-month': { title: '月份格式不正確', action: '請以「年-月」輸入月份，例如 2026-01。' },
    'statistics.range-reversed': {
      title: '起始月份晚於結束月份',
      action: '請將起始月份改為結束月份當月或之前。',
    },
    'statistics.range-too-long': {
      title: '查詢期間過長',
      action: '一次最多查詢 36 個月，請縮短期間或分段查詢。',
    },
    'developers.page-not-found': { title: '找不到此開發者文件', action: '請由開發者指南的目錄選擇文件。' },
    'counter.service-not-found': {
      title: '找不到這項臨櫃服務',
      action: '請回到臨櫃核驗頁重新選擇服務。',
    },
    'counter.case-not-found': { title: '找不到這次臨櫃核驗', action: '請回到臨櫃核驗頁重新選擇服務並同意。' },
    'counter.case-closed': {
      title: '這次臨櫃核驗已結束',
      action: '已核驗、已取消或已逾時的核驗不能再產生條碼。如仍需核驗，請重新選擇服務並同意。',
    },
    'counter.code-expired': {
      title: '條碼已過期',
      action: '每組條碼只在短時間內有效，新的一組出現後舊的即失效。請民眾出示畫面上最新的條碼或短碼。',
    },
    'counter.code-used': {
      title: '這次同意已經核驗過',
      action: '每次同意只能核驗一次。如需再次核驗，請民眾重新同意。',
    },
    'counter.code-forged': {
      title: '這不是有效的 MyData 條碼',
      action: '請民眾開啟 MyData 臨櫃核驗頁，出示畫面上的條碼。',
    },
    'counter.code-unknown': {
      title: '查無此短碼',
      action: '請核對民眾畫面上的 8 碼短碼後重新輸入；錯誤次數過多會暫停輸入。',
    },
    'counter.rate-limited': {
      title: '輸入錯誤次數過多',
      action: '短碼輸入暫停 10 分鐘，請稍後再試，或改用相機掃描條碼。',
    },
    'counter.not-a-clerk': {
      title: '您不是臨櫃人員',
      action: '只有機關或業者登記的臨櫃人員可以核驗。請洽貴單位的管理者將您加入。',
    },
    'counter.other-organisation': {
      title: '您不是這個單位的臨櫃人員',
      action: '請選擇您所屬單位的服務後再核驗。',
    },
    'counter.wrong-service': {
      title: '不是這項服務的條碼',
      action: '民眾同意的是另一項服務。請切換到正確的服務，或請民眾重新選擇服務。',
    },
    'counter.provider-suspended': {
      title: '這個單位已暫停使用平臺',
      action: '暫停期間不能申請或核驗臨櫃服務的資料，請改用其他方式辦理。',
    },
    'server.not-ready': { title: '平臺正在啟動或維護中', action: '請過一兩分鐘再試一次。' },
    'exchange.agency-suspended': {
      title: '提供資料的機關目前已被平臺暫停',
      action: '暫時無法取得這個機關的資料，沒有傳送任何資料。請稍後再試，或直接洽詢該機關。',
    },
    'onboarding.forbidden': {
      title: '您沒有這個組織的權限',
      action: '這個操作需要您在該組織擔任特定角色。請洽該組織的管理者為您加入。',
    },
    'onboarding.organisation-not-found': {
      title: '找不到這個組織',
      action: '請確認組織代碼是否正確，或回到「我的組織」重新選擇。',
    },
    'onboarding.organisation-id-unavailable': {
      title: '這個組織代碼無法使用',
      action: '代碼已被使用或保留給平臺。請改用其他代碼。',
    },
    'onboarding.application-not-found': {
      title: '找不到這件申請',
      action: '申請可能不存在，或您沒有檢視它的權限。請回到組織頁面重新選擇。',
    },
    'onboarding.invalid-application': {
      title: '申請內容不完整',
      action: '請依下方說明修正標示的欄位後再送出。',
    },
    'onboarding.dataset-not-found': {
      title: '申請的資料不在目錄中',
      action: '請從清單選擇目錄中既有的資料後再送出。',
    },
    'onboarding.justification-missing': {
      title: '缺少需要資料的原因',
      action: '請以中英文說明為什麼需要這項資料或這個目的，再送出一次。',
    },
    'onboarding.redirect-not-https': {
      title: '導回網址必須使用 https',
      action: '正式環境只接受 https 網址（http 只限本機開發與測試環境）。請修改後再送出。',
    },
    'onboarding.jwks-unreachable': {
      title: '無法讀取 JWKS 網址上的金鑰',
      action: '請確認下方列出的網址可以公開連線並回傳 JWKS，再試一次。',
    },
    'onboarding.jwks-invalid': {
      title: '金鑰格式不正確',
      action: '需要一把 P-256 簽章金鑰與一把加密金鑰，而且只能是公開金鑰。請修正後再試。',
    },
    'onboarding.not-resubmittable': {
      title: '這件申請目前不能修改',
      action: '只有「需要修改」的申請可以重新送出。請重新整理頁面查看最新狀態。',
    },
    'onboarding.subject-taken': {
      title: '這個代碼已被使用',
      action: '代碼必須以貴組織的代碼開頭，而且不能與其他組織重複。請改用其他代碼。',
    },
    'onboarding.last-admin': {
      title: '不能移除最後一位管理者',
      action: '組織至少要有一位管理者。請先加入另一位管理者，再移除這一位。',
    },
    'onboarding.staff-not-found': {
      title: '找不到這位人員',
      action: '這位人員可能已被移除。請重新整理頁面。',
    },
    'onboarding.client-not-found': {
      title: '找不到這個用戶端',
      action: '用戶端可能不存在，或沒有登記 JWKS 網址可以重新讀取。',
    },
    'onboarding.sandbox-persona-only': {
      title: '這是測試中的服務，只限測試身分使用',
      action: '這項服務尚未正式上線，只有平臺公布的測試身分可以同意傳送。您的真實資料沒有被送出。',
    },
    'onboarding.test-persona-only': {
      title: '連線測試只能使用測試身分',
      action: '請從清單中選一位平臺公布的測試身分；尚未審核的機關不會被查詢真實民眾的資料。',
    },
    'onboarding.test-call-unavailable': {
      title: '這件申請無法進行連線測試',
      action: '連線測試只適用於尚未被駁回的資料提供申請。',
    },
    'onboarding.test-call-rate-limited': {
      title: '連線測試次數過多',
      action: '貴機關短時間內的連線測試已達上限，請稍候幾分鐘再試。',
    },
    'operator.forbidden': {
      title: '只有平臺維運人員可以使用',
      action: '這個操作需要平臺維運人員的角色。如果您負責審查，請洽平臺管理者。',
    },
    'operator.reason-required': {
      title: '請寫下原因',
      action: '要求修改或不核准時必須附上原因，申請的組織才知道如何處理。',
    },
    'operator.already-decided': {
      title: '這件申請已經處理過',
      action: '請重新整理頁面查看它目前的狀態。',
    },
    'operator.suspension-state': {
      title: '這個組織目前的停權狀態不允許這個操作',
      action: '請重新整理頁面查看它目前是否已停權。',
    },
    'server.internal': { title: '平臺發生錯誤', action: REPORTED['zh-TW'] },
  },
  en: {
    'request.invalid': { title: 'What was sent is not valid', action: BAD_LINK.en },
    'request.malformed-json': { title: 'What was sent could not be read', action: BAD_LINK.en },
    'request.body-too-large': { title: 'What was sent is too large', action: 'Send less and try again.' },
    'request.unsupported-media-type': {
      title: 'What was sent is in a format that is not supported',
      action: BAD_LINK.en,
    },
    'request.not-found': { title: 'This address does not exist', action: BAD_LINK.en },
    'catalogue.organisation-not-found': {
      title: 'This agency or business was not found',
      action: 'It may no longer take part. Look it up again in the data catalogue or the services.',
    },
    'catalogue.dataset-not-found': {
      title: 'This dataset was not found',
      action:
        'It may have been removed from the catalogue, or the address is wrong. Look it up again in the data catalogue.',
    },
    'catalogue.service-not-found': {
      title: 'This service was not found',
      action: 'It may have ended, or the address is wrong. Look it up again in the services.',
    },
    'catalogue.invalid': {
      title: 'The catalogue is inconsistent and was not accepted',
      action: 'Fix the problems listed in the catalogue and send it again.',
    },
    'exchange.agency-not-registered': {
      title: 'The agency that provides the data is not connected to the platform yet',
      action: 'Its data cannot be fetched at the moment. Try again later, or ask the agency directly.',
    },
    'exchange.agency-unreachable': {
      title: 'The agency that provides the data cannot be reached',
      action: AGENCY_LATER.en,
    },
    'exchange.timeout': {
      title: 'The agency that provides the data answered too slowly',
      action: AGENCY_LATER.en,
    },
    'exchange.tls-failure': {
      title: 'No secure connection could be made to the agency',
      action: `To be safe, no data was exchanged. ${REPORTED.en}`,
    },
    'exchange.bad-signature': {
      title: "The agency's data could not be verified as genuine",
      action: `To protect you, the platform did not use it. ${REPORTED.en}`,
    },
    'exchange.wrong-request': {
      title: "The agency's answer does not belong to this request",
      action: `To protect you, the platform did not use it. ${REPORTED.en}`,
    },
    'exchange.stale-response': {
      title: "The agency's answer is out of date",
      action: `To protect you, the platform did not use it. ${LATER.en}`,
    },
    'exchange.invalid-response': {
      title: "The agency's answer could not be read",
      action: `The platform did not use it. ${REPORTED.en}`,
    },
    'exchange.schema-violation': {
      title: "The agency's data is not in the published format",
      action: `The platform did not use it. ${REPORTED.en}`,
    },
    'exchange.no-such-person': {
      title: 'The agency holds no such data about you',
      action: 'If you think it should, ask the agency directly.',
    },
    'exchange.not-permitted': {
      title: 'The agency does not provide this data for this request',
      action: 'Ask the agency directly why.',
    },
    'exchange.request-refused': { title: "The agency refused the platform's request", action: REPORTED.en },
    'exchange.agency-error': { title: "The agency's system failed", action: AGENCY_LATER.en },
    'exchange.circuit-open': {
      title: 'The agency that provides the data is paused',
      action:
        'It failed several times recently, so the platform has paused requests to it. Try again in a few minutes.',
    },
    'exchange.failed': {
      title: 'Some agencies could not provide their data',
      action:
        'So that you never get incomplete data, nothing was delivered this time. Please try again later.',
    },
    'log.checkpoint-not-found': { title: 'This usage-log checkpoint was not found', action: LATER.en },
    'log.entry-not-found': { title: 'This usage-log entry was not found', action: BAD_LINK.en },
    'log.range-invalid': { title: 'This part of the usage log cannot be checked', action: BAD_LINK.en },
    'identity.not-signed-in': {
      title: 'You are not signed in',
      action: 'This needs you to sign in first. Sign in and try again.',
    },
    'identity.csrf-rejected': {
      title: 'To protect your account, this action was not accepted',
      action: 'Reload the page and try again.',
    },
    'identity.method-unavailable': {
      title: 'The platform does not offer this sign-in method',
      action: 'Sign in with another method.',
    },
    'identity.challenge-invalid': {
      title: 'This verification is no longer valid',
      action: 'Each verification can be used once and only for a few minutes. Start verifying again.',
    },
    'identity.certificate-rejected': {
      title: 'Your certificate did not pass the check',
      action: 'Make sure it is your own valid card, or use another sign-in method.',
    },
    'identity.verification-failed': {
      title: 'Your identity was not verified',
      action:
        "What you entered does not match the agency's records. Check it and try again; repeated failures lock the method for a while.",
    },
    'identity.locked-out': {
      title: 'This sign-in method is locked for a while',
      action:
        'After repeated failures it is locked. Try again later, or sign in with a citizen certificate or NHI card, which lifts the lock.',
    },
    'identity.rate-limited': {
      title: 'Too many attempts in a short time',
      action: 'Wait about a minute and try again.',
    },
    'identity.flow-expired': { title: 'This sign-in has expired', action: 'Start signing in again.' },
    'identity.second-method-must-differ': {
      title: 'Use a different method',
      action: 'The first sign-in needs two different methods. Choose another one.',
    },
    'identity.different-person': {
      title: 'The two verifications name different people',
      action: 'To protect you, the platform stopped this sign-in. Start again with your own credentials.',
    },
    'identity.step-up-required': {
      title: 'Stronger verification needed',
      action: 'Verify again with one of the methods shown; you stay signed in.',
    },
    'identity.passkey-rejected': {
      title: 'Passkey not accepted',
      action: 'Try again, or use your citizen certificate, NHI card or another method.',
    },
    'identity.passkey-not-found': {
      title: 'Passkey not found',
      action: 'Reload the page to see the passkeys you have enrolled.',
    },
    'identity.otp-incorrect': {
      title: 'Wrong one-time code',
      action:
        'Check the text message on your phone and enter the code again; each code can be tried 5 times.',
    },
    'identity.otp-expired': {
      title: 'This one-time code is no longer valid',
      action: 'A code works once and for 5 minutes. Ask for a new code.',
    },
    'identity.otp-exhausted': {
      title: 'Too many wrong codes',
      action: 'This code no longer works. Ask for a new code.',
    },
    'identity.otp-resend-limited': {
      title: 'Codes were sent too often',
      action: 'A code is sent at most once a minute and five times an hour. Wait a little and ask again.',
    },
    'identity.oidc-unavailable': {
      title: 'The identity provider is not available',
      action:
        'The platform cannot reach this identity provider; it is not something you did wrong. Try again later, or use another method.',
    },
    'identity.oidc-rejected': {
      title: 'The sign-in at the identity provider was not accepted',
      action:
        'This sign-in may have expired or been used already, or the provider did not give your national ID. Start again, or use another method.',
    },
    'consent.invalid-authorization-details': {
      title: 'The service sent an invalid request',
      action:
        'This is a problem at the service, not something you did wrong. Go back to the service and start again, or contact it.',
    },
    'consent.dataset-not-approved': {
      title: 'The service asked for data it is not approved for',
      action: 'No data was shared. Go back to the service and start again, or contact it.',
    },
    'consent.purpose-not-approved': {
      title: 'The service’s purpose differs from the approved one',
      action: 'No data was shared. Go back to the service and start again, or contact it.',
    },
    'consent.mode-not-supported': {
      title: 'The service asked for an unsupported transfer',
      action: 'No data was shared. Go back to the service and start again, or contact it.',
    },
    'consent.required-dataset-missing': {
      title: 'A required dataset is missing',
      action: 'Required data cannot be left out. If you do not want to share it, choose Decline.',
    },
    'consent.dataset-not-requested': {
      title: 'You chose data the service did not ask for',
      action: 'Choose only among the listed data. Reload the page and try again.',
    },
    'consent.interaction-not-found': {
      title: 'This authorization has expired or does not exist',
      action: 'Go back to the service and start again.',
    },
    'consent.not-found': {
      title: 'Consent not found',
      action: 'It may not belong to your account, or the address is wrong. Look it up again in My consents.',
    },
    'consent.not-withdrawable': {
      title: 'This consent has already ended',
      action:
        'A used, expired or withdrawn consent cannot be withdrawn or retried. Reload the page to see its status.',
    },
    'consent.service-suspended': {
      title: 'This service is suspended',
      action: 'No data was shared. Contact the service, or try again later.',
    },
    'transfer.invalid-token': {
      title: 'Invalid access token',
      action: 'The service must obtain your authorization again.',
    },
    'transfer.invalid-dpop-proof': {
      title: 'Invalid proof of possession',
      action: 'The service must send the request again with the right key.',
    },
    'transfer.package-gone': {
      title: 'The data package is gone',
      action:
        'A package can be fetched once and is deleted on withdrawal or expiry. Go back to the service and start again.',
    },
    'transfer.package-not-ready': { title: 'The data is not ready yet', action: LATER.en },
    'download.not-found': {
      title: 'This download was not found',
      action: 'Go back to the data download page, choose the data again and download.',
    },
    'download.gone': {
      title: 'This download file is gone',
      action: 'A file can be downloaded once and is deleted soon after. Choose the data again and download.',
    },
    'oauth-client.invalid-registration': {
      title: 'Invalid service registration',
      action: 'Correct the registration as the error describes and send it again.',
    },
    'application.parties-required': {
      title: 'Other parties needed',
      action: 'Give the national ID and an e-mail address or mobile number of everyone who must consent too.',
    },
    'application.party-invalid': {
      title: 'Party details not valid',
      action: 'Check the national ID and the contact details and send them again.',
    },
    'application.not-found': {
      title: 'Invitation not found',
      action: 'Sign in as the person who was invited and use the link in the message.',
    },
    'application.not-open': {
      title: 'This invitation has ended',
      action: 'The application was completed, declined or has expired; there is nothing more to do.',
    },
    'application.rate-limited': { title: 'Too many attempts', action: LATER.en },
    'statistics.invalid-month': {
      title: 'The month is not valid',
      action: 'Enter the month as year-month, for example 2026-01.',
    },
    'statistics.range-reversed': {
      title: 'The start month is after the end month',
      action: 'Make the start month the same as the end month or earlier.',
    },
    'statistics.range-too-long': {
      title: 'The period is too long',
      action: 'At most 36 months can be shown at once. Shorten the period or look at it in parts.',
    },
    'developers.page-not-found': {
      title: 'Developer guide page not found',
      action: 'Choose a page from the index of the developer guide.',
    },
    'counter.service-not-found': {
      title: 'This counter service was not found',
      action: 'Go back to the counter page and choose the service again.',
    },
    'counter.case-not-found': {
      title: 'This counter check was not found',
      action: 'Go back to the counter page, choose the service and consent again.',
    },
    'counter.case-closed': {
      title: 'This counter check has ended',
      action:
        'A check that was verified, cancelled or timed out makes no new codes. Choose the service and consent again if you still need one.',
    },
    'counter.code-expired': {
      title: 'The code has expired',
      action:
        'Each code is valid only briefly and a new one replaces the old. Ask the citizen for the code now on their screen.',
    },
    'counter.code-used': {
      title: 'This consent was already verified',
      action:
        'Each consent can be verified once. Ask the citizen to consent again if another check is needed.',
    },
    'counter.code-forged': {
      title: 'This is not a valid MyData code',
      action: 'Ask the citizen to open the MyData counter page and show the code on it.',
    },
    'counter.code-unknown': {
      title: 'No such short code',
      action:
        "Check the 8-character code on the citizen's screen and type it again; too many mistakes pause typing.",
    },
    'counter.rate-limited': {
      title: 'Too many wrong codes',
      action: 'Typing codes is paused for 10 minutes. Try again later, or scan the QR code with the camera.',
    },
    'counter.not-a-clerk': {
      title: 'You are not a counter clerk',
      action:
        "Only counter clerks registered by an organisation can verify. Ask your organisation's administrator to add you.",
    },
    'counter.other-organisation': {
      title: 'You are not a counter clerk of this organisation',
      action: 'Choose a service of your own organisation, then verify.',
    },
    'counter.wrong-service': {
      title: 'This code is for another service',
      action:
        'The citizen consented to a different service. Switch to the right service, or ask the citizen to choose it.',
    },
    'counter.provider-suspended': {
      title: 'This organisation is suspended from the platform',
      action: 'While suspended, its counter services cannot be used or verified. Use another way for now.',
    },
    'server.not-ready': {
      title: 'The platform is starting or under maintenance',
      action: 'Try again in a minute or two.',
    },
    'exchange.agency-suspended': {
      title: 'The agency that provides the data is suspended from the platform',
      action:
        'Its data cannot be fetched for now, and nothing was sent. Try again later, or ask the agency directly.',
    },
    'onboarding.forbidden': {
      title: 'You may not do this for this organisation',
      action: 'This needs a particular role in the organisation. Ask one of its administrators to add you.',
    },
    'onboarding.organisation-not-found': {
      title: 'This organisation does not exist',
      action: 'Check the organisation id, or choose it again from “My organisations”.',
    },
    'onboarding.organisation-id-unavailable': {
      title: 'This organisation id cannot be used',
      action: 'It is taken or reserved for the platform. Choose another id.',
    },
    'onboarding.application-not-found': {
      title: 'This application does not exist',
      action: 'It may not exist, or you may not see it. Choose it again from the organisation page.',
    },
    'onboarding.invalid-application': {
      title: 'The application is incomplete',
      action: 'Correct what is described below and send it again.',
    },
    'onboarding.dataset-not-found': {
      title: 'A dataset asked for is not in the catalogue',
      action: 'Choose datasets the catalogue lists and send it again.',
    },
    'onboarding.justification-missing': {
      title: 'A reason is missing',
      action: 'Say in Chinese and English why the data or the purpose is needed, and send it again.',
    },
    'onboarding.redirect-not-https': {
      title: 'Redirect addresses must use https',
      action:
        'Production accepts https only (http only for local development and the sandbox). Change it and send again.',
    },
    'onboarding.jwks-unreachable': {
      title: 'The keys at the JWKS address could not be read',
      action: 'Make sure the address given below is reachable and answers a JWKS, then try again.',
    },
    'onboarding.jwks-invalid': {
      title: 'The keys are not in the right form',
      action:
        'One P-256 signing key and one encryption key are needed, public keys only. Correct them and try again.',
    },
    'onboarding.not-resubmittable': {
      title: 'This application cannot be changed now',
      action:
        'Only an application with changes requested can be resubmitted. Reload the page to see its status.',
    },
    'onboarding.subject-taken': {
      title: 'This id is already in use',
      action:
        'Ids start with your organisation id and must not be another organisation’s. Choose another id.',
    },
    'onboarding.last-admin': {
      title: 'The last administrator cannot be removed',
      action:
        'An organisation needs an administrator. Add another administrator first, then remove this one.',
    },
    'onboarding.staff-not-found': {
      title: 'This person is not on the staff',
      action: 'They may have been removed already. Reload the page.',
    },
    'onboarding.client-not-found': {
      title: 'This client does not exist',
      action: 'It may not exist, or it has no JWKS address to read the keys from again.',
    },
    'onboarding.sandbox-persona-only': {
      title: 'This service is in testing: test personas only',
      action:
        'The service is not live yet; only the platform’s published test personas can consent. None of your real data was sent.',
    },
    'onboarding.test-persona-only': {
      title: 'Connection tests use test personas only',
      action:
        'Choose one of the platform’s published test personas; an agency not yet reviewed is never asked about a real citizen.',
    },
    'onboarding.test-call-unavailable': {
      title: 'This application cannot be tested',
      action: 'Connection tests are for data-provider applications that have not been rejected.',
    },
    'onboarding.test-call-rate-limited': {
      title: 'Too many connection tests',
      action:
        'Your organisation has reached the limit of connection tests for now. Wait a few minutes and try again.',
    },
    'operator.forbidden': {
      title: 'Only platform operators can do this',
      action:
        'This needs the platform operator role. If you review applications, ask the platform administrator.',
    },
    'operator.reason-required': {
      title: 'Give the reason',
      action: 'Requesting changes or rejecting needs a reason, so the organisation knows what to do.',
    },
    'operator.already-decided': {
      title: 'This application was decided already',
      action: 'Reload the page to see its status.',
    },
    'operator.suspension-state': {
      title: 'The organisation’s suspension state does not allow this',
      action: 'Reload the page to see whether it is suspended now.',
    },
    'server.internal': { title: 'The platform met an error', action: REPORTED.en },
  },
};
