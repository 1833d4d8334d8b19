import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { setLanguage } from '../../../app/i18n.ts';

export function LangSwitch() {
  const { i18n, t } = useTranslation();
  return (
    <Select
      data-testid="lang-switch"
      aria-label={t('lang.label')}
      size="small"
      value={i18n.language as 'zh-CN' | 'en-US'}
      style={{ width: 100 }}
      onChange={(v: 'zh-CN' | 'en-US') => setLanguage(v)}
      options={[
        { value: 'zh-CN', label: '中文' },
        { value: 'en-US', label: 'English' },
      ]}
    />
  );
}
