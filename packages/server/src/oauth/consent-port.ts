/**
 * What the OAuth flow needs of the consent capability (server/src/consent): the calls the issue-5
 * contract names. Tests may drive the flow with a consent service of their own that has them.
 */
import type { MydataAuthorizationDetail } from '@mydata/core';
import type { CollectResult, ConsentService } from '../consent/service.ts';

export type { MydataAuthorizationDetail };
export type AcceptResult = CollectResult;

export type ConsentPort = Pick<
  ConsentService,
  'describeRequest' | 'accept' | 'retry' | 'withdraw' | 'onWithdrawn' | 'attachGrant' | 'takePackage'
> &
  // Multi-person applications (consent/parties.ts); a consent service without them has single-person consents only.
  Partial<Pick<ConsentService, 'applicationProgress' | 'accessTokenSeconds'>>;
