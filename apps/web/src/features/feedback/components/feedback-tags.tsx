import type { TFeedbackItem } from '@huifang/shared';
import { Space, Tag, Tooltip } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

const CATEGORY_COLOR: Record<string, string> = { praise: 'green', suggestion: 'blue', complaint: 'red' };
const SENTIMENT_COLOR: Record<string, string> = { positive: 'success', neutral: 'default', negative: 'error' };

/** The labels in force as tags: category, sentiment, topics, and a mark when a person corrected them. */
export function FeedbackTags({ item }: { item: TFeedbackItem }) {
  const { t } = useTranslation();
  return (
    <Space size={[4, 4]} wrap data-testid="feedback-tags">
      <Tag color={CATEGORY_COLOR[item.category]} data-testid="feedback-category">
        {t(`feedback.category.${item.category}`)}
      </Tag>
      <Tag color={SENTIMENT_COLOR[item.sentiment]} data-testid="feedback-sentiment">
        {t(`feedback.sentiment.${item.sentiment}`)}
      </Tag>
      {item.topics.map((topic) => (
        <Tag key={topic}>{t(`feedback.topic.${topic}`, { defaultValue: topic })}</Tag>
      ))}
      {item.isCorrected && (
        <Tooltip
          title={t('feedback.modelSaid', {
            category: t(`feedback.category.${item.model.category}`),
            sentiment: t(`feedback.sentiment.${item.model.sentiment}`),
          })}
        >
          <Tag color="purple" data-testid="feedback-corrected">
            {t('feedback.corrected')}
          </Tag>
        </Tooltip>
      )}
    </Space>
  );
}

/** The text with the classifier's keywords highlighted (longest first where they overlap). */
export function HighlightedText({ text, keywords }: { text: string; keywords: readonly string[] }) {
  const words = [...new Set(keywords.filter(Boolean))].sort((a, b) => b.length - a.length);
  if (!text) return <>—</>;
  if (words.length === 0) return <>{text}</>;
  const pattern = new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'gi');
  const parts: ReactNode[] = text.split(pattern).map((part, i) =>
    i % 2 === 1 ? (
      <mark key={i} data-testid="feedback-keyword" style={{ background: '#ffe58f', padding: 0 }}>
        {part}
      </mark>
    ) : (
      part
    ),
  );
  return <>{parts}</>;
}
