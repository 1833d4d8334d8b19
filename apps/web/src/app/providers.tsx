import { ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { langOf, validationText } from '@huifang/shared';

dayjs.extend(utc);
dayjs.extend(timezone);

/**
 * The staff app's providers: antd's theme and locale, dayjs's language and time zones. Loaded lazily with the login
 * page and the staff shell (router.tsx): the public phone pages (survey, review, kiosk, queue) do not use antd.
 */
export function Providers({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  const isEn = i18n.language === 'en-US';
  dayjs.locale(isEn ? 'en' : 'zh-cn');
  return (
    <ConfigProvider
      locale={isEn ? enUS : zhCN}
      theme={{ token: { colorPrimary: '#1a6fd6', borderRadius: 6 } }}
      // No space between two CJK characters on buttons: the label reads (and is found by tests) as written, 登录 not 登 录.
      button={{ autoInsertSpace: false }}
      // A plain `required` rule says it like every other validation message (shared validation.ts), naming the field.
      form={{
        validateMessages: { required: validationText({ code: 'required' }, '${label}', langOf(i18n.language)) },
      }}
    >
      {children}
    </ConfigProvider>
  );
}

export default Providers;
