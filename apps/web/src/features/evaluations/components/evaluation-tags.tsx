import type { TEvaluation } from '@huifang/shared';
import { Space, Tag } from 'antd';
import { useTranslation } from 'react-i18next';

const SCORE_COLOR: Record<number, string> = { 5: 'green', 4: 'cyan', 3: 'gold', 2: 'orange', 1: 'red' };

export function ScoreTag({ e }: { e: Pick<TEvaluation, 'score' | 'ratingLabel'> }) {
  const { t } = useTranslation();
  if (e.score === null) return <Tag>{t('evaluation.unrated')}</Tag>;
  return <Tag color={SCORE_COLOR[Math.round(e.score)]}>{e.ratingLabel ?? `${e.score}/5`}</Tag>;
}

export function StateTags({ e }: { e: Pick<TEvaluation, 'isExcluded' | 'appealState'> }) {
  const { t } = useTranslation();
  return (
    <Space size={4}>
      {e.isExcluded ? (
        <Tag color="red">{t('evaluation.excluded')}</Tag>
      ) : (
        <Tag color="blue">{t('evaluation.counted')}</Tag>
      )}
      {e.appealState === 'open' && <Tag color="orange">{t('evaluation.appealOpen')}</Tag>}
      {e.appealState === 'decided' && <Tag>{t('evaluation.appealDecided')}</Tag>}
    </Space>
  );
}
