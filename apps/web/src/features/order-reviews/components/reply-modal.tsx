import type { TOrderReview } from '@huifang/shared';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Input, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../../../api/client.ts';
import { errorText } from '../../../api/error-text.ts';
import { ORDER_REVIEWS_KEY } from '../api.ts';

/** 解释: once per review / follow-up; the server enforces once and the 30-day window and says why when it refuses. */
export function ReplyModal({
  review,
  target,
  onClose,
}: {
  review: TOrderReview | null;
  target: 'rating' | 'followup';
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ok = async () => {
    if (!review) return;
    setBusy(true);
    setError(null);
    try {
      await post(`/order-reviews/${review.id}/reply`, { target, text });
      await qc.invalidateQueries({ queryKey: ORDER_REVIEWS_KEY });
      setText('');
      onClose();
    } catch (e) {
      setError(errorText(e, i18n.language));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={!!review}
      title={t(target === 'rating' ? 'orderReview.replyToRating' : 'orderReview.replyToFollowup')}
      onCancel={onClose}
      onOk={() => void ok()}
      okButtonProps={{ disabled: !text.trim(), loading: busy, 'data-testid': 'reply-ok' } as never}
      destroyOnHidden
    >
      <Alert type="info" style={{ marginBottom: 12 }} message={t('orderReview.replyOnce')} />
      <Input.TextArea
        rows={4}
        maxLength={500}
        showCount
        value={text}
        onChange={(e) => setText(e.target.value)}
        data-testid="reply-text"
      />
      {error && <Alert type="error" style={{ marginTop: 12 }} message={error} data-testid="reply-error" />}
    </Modal>
  );
}
