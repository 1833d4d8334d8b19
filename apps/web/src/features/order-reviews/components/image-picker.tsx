import { REVIEW_IMAGE_MAX_COUNT } from '@huifang/shared';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Thumb } from '../../../lib/phone-ui/phone-ui.tsx';
import { shrinkImage } from '../buyer-api.ts';

/** Pick up to five photos; each is shrunk in the browser before it is sent. */
export function ImagePicker({ value, onChange }: { value: string[]; onChange: (v: string[]) => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  return (
    <div>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8 }}>
        {value.map((src, i) => (
          <div key={i} style={{ position: 'relative' }}>
            <Thumb src={src} size={64} />
            <Button
              size="small"
              type="text-danger"
              style={{ position: 'absolute', top: -8, right: -8 }}
              onClick={() => onChange(value.filter((_, j) => j !== i))}
            >
              ×
            </Button>
          </div>
        ))}
        {value.length < REVIEW_IMAGE_MAX_COUNT && (
          <label
            style={{
              display: 'inline-flex',
              width: 64,
              height: 64,
              border: '1px dashed #bbb',
              borderRadius: 6,
              alignItems: 'center',
              justifyContent: 'center',
              cursor: 'pointer',
              color: '#888',
            }}
          >
            +{t('orderReview.photo')}
            <input
              type="file"
              accept="image/png,image/jpeg,image/webp"
              style={{ display: 'none' }}
              data-testid="review-image-input"
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (!file) return;
                setError(null);
                shrinkImage(file).then(
                  (data) => onChange([...value, data]),
                  () => setError(t('orderReview.imageError')),
                );
              }}
            />
          </label>
        )}
      </div>
      {error && <span className="hf-danger">{error}</span>}
    </div>
  );
}
