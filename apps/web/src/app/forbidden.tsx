import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

/** The 403 page of a menu entry the user may not open: its own chunk (staff-shell.tsx), loaded only when shown. */
export default function Forbidden({ back }: { back: string }) {
  const { t } = useTranslation();
  return (
    <Result
      status="403"
      title="403"
      subTitle={t('common.noPermission')}
      extra={
        <Link to={back}>
          <Button type="primary">{t('common.back')}</Button>
        </Link>
      }
    />
  );
}
