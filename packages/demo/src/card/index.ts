export { type CardSignIn, type OpenedCard, openCard, signInWithCard } from './card.ts';
export { CardError, readPkcs12, writePkcs12 } from './pkcs12.ts';
