export { webhookEventFor, playableWebhookEventFor } from './webhook-event';
export {
  parseCallbackUrl,
  checkCallbackTarget,
  CALLBACK_URL_MAX_LENGTH,
  INVALID_CALLBACK_URL,
  type CheckedTarget,
  type TargetPolicy,
} from './webhook-target';
export {
  signWebhook,
  verifyWebhook,
  WEBHOOK_HEADERS,
  DEFAULT_TOLERANCE_SECONDS,
  type WebhookToVerify,
  type VerifyOptions,
} from './webhook-signature';
