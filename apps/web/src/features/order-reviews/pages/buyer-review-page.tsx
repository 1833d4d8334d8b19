import type { TBuyerReview, TReviewDimensions, TShopDimension } from '@huifang/shared';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';

import { errorText } from '../../../api/error-text.ts';
import {
  Alert,
  Button,
  Card,
  ChoiceList,
  LangSwitch,
  Rate,
  Result,
  Skeleton,
  TextInput,
} from '../../../lib/phone-ui/phone-ui.tsx';
import { postIdempotent, useBuyerReview } from '../buyer-api.ts';
import { ImagePicker } from '../components/image-picker.tsx';

const idemKey = () => crypto.randomUUID();

const TIME = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
/** YYYY-MM-DD HH:mm:ss in the shop's zone (lib/format.ts's fmtTime, without dayjs on this phone page). */
const fmtTime = (iso: string | null | undefined) => (iso ? TIME.format(new Date(iso)) : '—');

/** 买家评价页: public, phone-sized, one order only (reached through the shop's per-order link). */
export function BuyerReviewPage() {
  const { t } = useTranslation();
  const { token = '' } = useParams();
  const q = useBuyerReview(token);
  const [data, setData] = useState<TBuyerReview | null>(null);
  const view = data ?? q.data;
  return (
    <div
      className="hf-page"
      style={{ maxWidth: 480, margin: '0 auto', padding: 12, minHeight: '100vh', background: '#f5f5f5' }}
    >
      <div style={{ position: 'relative' }}>
        <h4 style={{ textAlign: 'center', margin: '8px 0 12px' }}>{t('orderReview.buyerTitle')}</h4>
        <LangSwitch style={{ position: 'absolute', right: 0, top: 0, width: 84 }} />
      </div>
      {q.isLoading && <Skeleton />}
      {q.error && (
        <Result status="404" title={t('orderReview.linkInvalid')} subTitle={t('orderReview.linkInvalidHint')} />
      )}
      {view && (
        <div style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
          <Card testId="buyer-order">
            <strong>{view.shopName}</strong>
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
              testId="buyer-closed"
              message={t('orderReview.closed')}
              description={t('orderReview.closedHint', { at: fmtTime(view.rateDeadline) })}
            />
          )}
          {view.state === 'rated' && <RatedView view={view} token={token} onDone={setData} />}
        </div>
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
    <Card title={t('orderReview.rateShop')} testId="rating-form">
      <p className="hf-secondary">{t('orderReview.deadline', { at: fmtTime(deadline) })}</p>
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
            testId={`rate-${k}`}
          />
        </div>
      ))}
      <TextInput
        rows={3}
        maxLength={500}
        showCount
        placeholder={t('orderReview.textPlaceholder')}
        value={text}
        onChange={setText}
        testId="rating-text"
      />
      <div style={{ margin: '12px 0', borderTop: '1px solid rgba(5, 5, 5, 0.06)' }} />
      <ImagePicker value={images} onChange={setImages} />
      <div style={{ marginTop: 12 }} data-testid="rating-anonymous">
        <ChoiceList
          kind="checkbox"
          name="anonymous"
          options={[{ value: 'yes', label: <span style={{ fontSize: 14 }}>{t('orderReview.anonymous')}</span> }]}
          value={isAnonymous ? ['yes'] : []}
          onChange={(v) => setAnonymous(v.length > 0)}
        />
      </div>
      {error && <Alert type="error" style={{ marginTop: 12 }} message={error} />}
      <Button
        type="primary"
        block
        size="large"
        style={{ marginTop: 12 }}
        disabled={!complete}
        loading={busy}
        testId="rating-submit"
        onClick={() => void submit({ dimensions: dims, text: text || undefined, images, isAnonymous })}
      >
        {t('orderReview.submit')}
      </Button>
      <p className="hf-secondary" style={{ marginTop: 8, fontSize: 12 }}>
        {t('orderReview.immutableHint')}
      </p>
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
      <Card title={t('orderReview.yourRating')} testId="buyer-rated">
        {view.reviewDimensions.map(({ key: k, name }) => (
          <div key={k} style={{ display: 'flex', justifyContent: 'space-between' }}>
            <span>{name}</span>
            <Rate disabled value={r.dimensions[k] ?? 0} />
          </div>
        ))}
        {r.text && <p style={{ marginTop: 8 }}>{r.text}</p>}
        <span className="hf-secondary">
          {fmtTime(r.ratedAt)}
          {r.isAnonymous ? ` · ${t('orderReview.anonymousShort')}` : ''}
          {r.imageCount ? ` · ${t('orderReview.images', { n: r.imageCount })}` : ''}
        </span>
        {r.reply && (
          <Alert style={{ marginTop: 8 }} type="info" message={`${t('orderReview.shopReply')}：${r.reply.text}`} />
        )}
      </Card>
      {view.followup && (
        <Card title={t('orderReview.followup')} testId="buyer-followup">
          <p>{view.followup.text}</p>
          <span className="hf-secondary">{fmtTime(view.followup.createdAt)}</span>
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
        <Card title={t('orderReview.addFollowup')} testId="followup-form">
          <p className="hf-secondary">{t('orderReview.followupDeadline', { at: fmtTime(view.followupDeadline) })}</p>
          <TextInput rows={3} maxLength={500} showCount value={text} onChange={setText} testId="followup-text" />
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
            testId="followup-submit"
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
