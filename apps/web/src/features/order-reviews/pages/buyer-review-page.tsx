import type { TBuyerReview, TReviewDimensions, TShopDimension } from '@huifang/shared';
import { Alert, Button, Card, Checkbox, Divider, Input, Rate, Result, Skeleton, Space, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';

import { errorText } from '../../../api/error-text.ts';
import { fmtTime } from '../../../lib/format.ts';
import { postIdempotent, useBuyerReview } from '../api.ts';
import { ImagePicker } from '../components/image-picker.tsx';

const idemKey = () => crypto.randomUUID();

/** 买家评价页: public, phone-sized, one order only (reached through the shop's per-order link). */
export function BuyerReviewPage() {
  const { t } = useTranslation();
  const { token = '' } = useParams();
  const q = useBuyerReview(token);
  const [data, setData] = useState<TBuyerReview | null>(null);
  const view = data ?? q.data;
  return (
    <div style={{ maxWidth: 480, margin: '0 auto', padding: 12, minHeight: '100vh', background: '#f5f5f5' }}>
      <Typography.Title level={4} style={{ textAlign: 'center', margin: '8px 0 12px' }}>
        {t('orderReview.buyerTitle')}
      </Typography.Title>
      {q.isLoading && <Skeleton active />}
      {q.error && (
        <Result status="404" title={t('orderReview.linkInvalid')} subTitle={t('orderReview.linkInvalidHint')} />
      )}
      {view && (
        <Space direction="vertical" style={{ width: '100%' }} size={12}>
          <Card size="small" data-testid="buyer-order">
            <Typography.Text strong>{view.shopName}</Typography.Text>
            <div>
              {t('orderReview.orderNo')}：{view.orderNo ?? '—'}
            </div>
            <div>
              {t('orderReview.amount')}：¥{(view.amountFen / 100).toFixed(2)}
            </div>
            <div>
              {t('orderReview.completedAt')}：{fmtTime(view.completedAt)}
            </div>
          </Card>
          {view.state === 'open' && (
            <RatingForm
              token={token}
              deadline={view.rateDeadline}
              dimensions={view.reviewDimensions}
              onDone={setData}
            />
          )}
          {view.state === 'closed' && (
            <Alert
              type="warning"
              showIcon
              data-testid="buyer-closed"
              message={t('orderReview.closed')}
              description={t('orderReview.closedHint', { at: fmtTime(view.rateDeadline) })}
            />
          )}
          {view.state === 'rated' && <RatedView view={view} token={token} onDone={setData} />}
        </Space>
      )}
    </div>
  );
}

function useSubmit<T>(url: string, onDone: (v: TBuyerReview) => void) {
  const { i18n } = useTranslation();
  const key = useMemo(idemKey, []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (body: T) => {
    setBusy(true);
    setError(null);
    try {
      onDone(await postIdempotent<TBuyerReview>(url, body, key));
    } catch (e) {
      setError(errorText(e, i18n.language));
    } finally {
      setBusy(false);
    }
  };
  return { submit, busy, error };
}

function RatingForm({
  token,
  deadline,
  dimensions,
  onDone,
}: {
  token: string;
  deadline: string;
  dimensions: TShopDimension[];
  onDone: (v: TBuyerReview) => void;
}) {
  const { t } = useTranslation();
  const [dims, setDims] = useState<TReviewDimensions>({});
  const [text, setText] = useState('');
  const [images, setImages] = useState<string[]>([]);
  const [isAnonymous, setAnonymous] = useState(false);
  const { submit, busy, error } = useSubmit(`/review-links/${token}/rating`, onDone);
  const complete = dimensions.every((d) => dims[d.key]);
  return (
    <Card size="small" title={t('orderReview.rateShop')} data-testid="rating-form">
      <Typography.Paragraph type="secondary">
        {t('orderReview.deadline', { at: fmtTime(deadline) })}
      </Typography.Paragraph>
      {dimensions.map(({ key: k, name }) => (
        <div
          key={k}
          style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', marginBottom: 8 }}
        >
          <span>{name}</span>
          <Rate
            value={dims[k] ?? 0}
            onChange={(v) => {
              const { [k]: _old, ...rest } = dims;
              setDims(v ? { ...rest, [k]: v } : rest);
            }}
            data-testid={`rate-${k}`}
          />
        </div>
      ))}
      <Input.TextArea
        rows={3}
        maxLength={500}
        showCount
        placeholder={t('orderReview.textPlaceholder')}
        value={text}
        onChange={(e) => setText(e.target.value)}
        data-testid="rating-text"
      />
      <Divider style={{ margin: '12px 0' }} />
      <ImagePicker value={images} onChange={setImages} />
      <Checkbox
        style={{ marginTop: 12 }}
        checked={isAnonymous}
        onChange={(e) => setAnonymous(e.target.checked)}
        data-testid="rating-anonymous"
      >
        {t('orderReview.anonymous')}
      </Checkbox>
      {error && <Alert type="error" style={{ marginTop: 12 }} message={error} />}
      <Button
        type="primary"
        block
        size="large"
        style={{ marginTop: 12 }}
        disabled={!complete}
        loading={busy}
        data-testid="rating-submit"
        onClick={() => void submit({ dimensions: dims, text: text || undefined, images, isAnonymous })}
      >
        {t('orderReview.submit')}
      </Button>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, fontSize: 12 }}>
        {t('orderReview.immutableHint')}
      </Typography.Paragraph>
    </Card>
  );
}

function RatedView({ view, token, onDone }: { view: TBuyerReview; token: string; onDone: (v: TBuyerReview) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [images, setImages] = useState<string[]>([]);
  const { submit, busy, error } = useSubmit(`/review-links/${token}/followup`, onDone);
  const r = view.rating!;
  return (
    <>
      <Card size="small" title={t('orderReview.yourRating')} data-testid="buyer-rated">
        {view.reviewDimensions.map(({ key: k, name }) => (
          <div key={k} style={{ display: 'flex', justifyContent: 'space-between' }}>
            <span>{name}</span>
            <Rate disabled value={r.dimensions[k] ?? 0} />
          </div>
        ))}
        {r.text && <Typography.Paragraph style={{ marginTop: 8 }}>{r.text}</Typography.Paragraph>}
        <Typography.Text type="secondary">
          {fmtTime(r.ratedAt)}
          {r.isAnonymous ? ` · ${t('orderReview.anonymousShort')}` : ''}
          {r.imageCount ? ` · ${t('orderReview.images', { n: r.imageCount })}` : ''}
        </Typography.Text>
        {r.reply && (
          <Alert style={{ marginTop: 8 }} type="info" message={`${t('orderReview.shopReply')}：${r.reply.text}`} />
        )}
      </Card>
      {view.followup && (
        <Card size="small" title={t('orderReview.followup')} data-testid="buyer-followup">
          <Typography.Paragraph>{view.followup.text}</Typography.Paragraph>
          <Typography.Text type="secondary">{fmtTime(view.followup.createdAt)}</Typography.Text>
          {view.followup.reply && (
            <Alert
              style={{ marginTop: 8 }}
              type="info"
              message={`${t('orderReview.shopReply')}：${view.followup.reply.text}`}
            />
          )}
        </Card>
      )}
      {view.canFollowup && (
        <Card size="small" title={t('orderReview.addFollowup')} data-testid="followup-form">
          <Typography.Paragraph type="secondary">
            {t('orderReview.followupDeadline', { at: fmtTime(view.followupDeadline) })}
          </Typography.Paragraph>
          <Input.TextArea
            rows={3}
            maxLength={500}
            showCount
            value={text}
            onChange={(e) => setText(e.target.value)}
            data-testid="followup-text"
          />
          <div style={{ marginTop: 8 }}>
            <ImagePicker value={images} onChange={setImages} />
          </div>
          {error && <Alert type="error" style={{ marginTop: 12 }} message={error} />}
          <Button
            type="primary"
            block
            style={{ marginTop: 12 }}
            disabled={!text.trim()}
            loading={busy}
            data-testid="followup-submit"
            onClick={() => void submit({ text, images })}
          >
            {t('orderReview.submitFollowup')}
          </Button>
        </Card>
      )}
      {!view.followup && !view.canFollowup && <Alert type="info" message={t('orderReview.followupClosed')} />}
    </>
  );
}
