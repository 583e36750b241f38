//! `notify`: deployment notifications to webhooks (work in progress).
