/**
 * The environment variable with the KMS secret that commands use to encrypt and decrypt
 * contract-encrypted fields (the platform reads the same one, see src/common/kms-secret.ts).
 * Its own module so that command registration can name it without loading the contract code.
 */
export const KMS_SECRET_ENV = 'SHIFTLEFT_KMS_SECRET';
