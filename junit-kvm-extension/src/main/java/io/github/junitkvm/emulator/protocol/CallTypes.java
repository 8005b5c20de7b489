package io.github.junitkvm.emulator.protocol;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/** What each {@link MachineCall} record returns, read once per record from its declaration. */
final class CallTypes {
    private static final ClassValue<Boolean> RETURNS_NOTHING = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> call) {
            for (Type type : call.getGenericInterfaces()) {
                if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == MachineCall.class) {
                    return parameterized.getActualTypeArguments()[0] == Void.class;
                }
            }
            return false;
        }
    };

    private CallTypes() {
    }

    /**
     * @param call a {@link MachineCall} record
     * @return whether it is a {@code MachineCall<Void>}
     */
    static boolean returnsNothing(Class<?> call) {
        return RETURNS_NOTHING.get(call);
    }
}
