import type { Catalogue } from '@mydata/core';

const t = (zh: string, en: string) => ({ 'zh-TW': zh, en });

/** A small, valid catalogue for tests of the platform alone (the demo package has the full one). */
export function fixtureCatalogue(): Catalogue {
  return {
    organisations: [
      {
        id: 'moi-household',
        name: t('內政部戶政司', 'Department of Household Registration'),
        sector: 'central-government',
        roles: ['data-provider'],
      },
      {
        id: 'mof-fia',
        name: t('財政部財政資訊中心', 'Fiscal Information Agency'),
        sector: 'central-government',
        roles: ['data-provider'],
      },
      {
        id: 'firstbank',
        name: t('第一商業銀行', 'First Commercial Bank'),
        sector: 'financial',
        roles: ['service-provider'],
        website: 'https://bank.example.org',
      },
      {
        id: 'pthg',
        name: t('屏東縣政府', 'Pingtung County Government'),
        sector: 'local-government',
        roles: ['service-provider'],
      },
    ],
    datasets: [
      {
        id: 'moi-household.household-registration',
        agencyId: 'moi-household',
        name: t('戶籍資料', 'Household registration'),
        description: t('戶籍登記之姓名、出生日期與住址', 'Name, date of birth and registered address'),
        topic: 'household',
        fields: [
          { name: 'name', label: t('姓名', 'Name'), type: 'string' },
          { name: 'address', label: t('戶籍地址', 'Registered address'), type: 'string' },
        ],
        payloadSchema: {
          type: 'object',
          properties: { name: { type: 'string' }, address: { type: 'string' } },
          required: ['name', 'address'],
          additionalProperties: false,
        },
        minAssurance: 'substantial',
        sensitivity: 'normal',
      },
      {
        id: 'mof-fia.income',
        agencyId: 'mof-fia',
        name: t('個人所得', 'Personal income'),
        description: t('年度各類所得 100%_完整', 'Income of the year by category'),
        topic: 'income',
        fields: [{ name: 'total', label: t('所得總額', 'Total income'), type: 'integer' }],
        payloadSchema: { type: 'object', properties: { total: { type: 'integer' } }, required: ['total'] },
        minAssurance: 'high',
        sensitivity: 'sensitive',
      },
    ],
    services: [
      {
        id: 'firstbank.loan',
        providerId: 'firstbank',
        name: t('貸款線上申請', 'Online loan application'),
        description: t('申請個人信用貸款', 'Apply for a personal loan'),
        mode: 'online',
        purpose: {
          dpv: 'https://w3id.org/dpv#CreditChecking',
          description: t('評估還款能力', 'Assess ability to repay'),
        },
        datasets: [
          { datasetId: 'mof-fia.income', required: true, justification: t('評估所得', 'Assess income') },
          {
            datasetId: 'moi-household.household-registration',
            required: false,
            justification: t('核對住址', 'Check address'),
          },
        ],
        retentionDays: 365,
      },
      {
        id: 'pthg.counter-check',
        providerId: 'pthg',
        name: t('臨櫃戶籍核驗', 'Household check at the counter'),
        description: t('臨櫃核對戶籍資料', 'Check household registration at the desk'),
        mode: 'counter',
        purpose: {
          dpv: 'https://w3id.org/dpv#IdentityVerification',
          description: t('核對身分', 'Verify identity'),
        },
        datasets: [
          {
            datasetId: 'moi-household.household-registration',
            required: true,
            justification: t('核對身分', 'Verify identity'),
          },
        ],
        retentionDays: 30,
      },
    ],
  };
}
